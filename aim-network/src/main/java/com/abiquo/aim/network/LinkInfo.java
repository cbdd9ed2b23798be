package com.abiquo.aim.network;

import java.util.List;

/**
 * One network interface as {@code ip -json -details link show} reports it, reduced to what this module decides on.
 *
 * @param kind linkinfo.info_kind ("bridge", "vlan", "veth", ...), "" for a plain device
 * @param master the bridge it is enslaved to, "" when none
 * @param parent the "link" field: a VLAN's parent or a veth's peer, "" when none or in another namespace
 * @param vlanId the 802.1Q id of a VLAN sub-interface, 0 otherwise
 * @param vlanProtocol "802.1Q" or "802.1ad" for a VLAN sub-interface, "" otherwise
 * @param adminUp the UP flag (what `ip link set up` sets)
 * @param operState the kernel's operational state: UP, DOWN, LOWERLAYERDOWN, UNKNOWN, ...
 */
public record LinkInfo(String name, String kind, String master, String parent, int vlanId, String vlanProtocol,
                       boolean adminUp, String operState, int mtu, List<String> flags) {
    public LinkInfo {
        flags = List.copyOf(flags);
    }

    public boolean isBridge() {
        return "bridge".equals(kind);
    }

    public boolean isVlan() {
        return "vlan".equals(kind);
    }
}
