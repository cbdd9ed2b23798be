package com.abiquo.aim.network;

import java.util.Map;

/** A managed VLAN and what the kernel shows of it now. */
public record VlanState(VlanSpec spec, String fileName, boolean linkPresent, boolean up, String operState,
                        boolean attached, boolean parentPresent, boolean bridgeUp) {
    /** The state of {@code spec} in one reading of the namespace's links. */
    static VlanState of(VlanSpec spec, Map<String, LinkInfo> links, String fileName) {
        LinkInfo link = links.get(spec.device());
        LinkInfo bridge = links.get(spec.bridge());
        boolean isVlan = link != null && link.isVlan();
        return new VlanState(spec, fileName, isVlan, isVlan && link.adminUp(), link == null ? "" : link.operState(),
                isVlan && spec.bridge().equals(link.master()), links.containsKey(spec.parent()),
                bridge != null && bridge.isBridge() && bridge.adminUp());
    }

    /** Everything the ifcfg file describes is there: link up, in its bridge, the bridge up. */
    public boolean complete() {
        return linkPresent && up && attached && bridgeUp;
    }
}
