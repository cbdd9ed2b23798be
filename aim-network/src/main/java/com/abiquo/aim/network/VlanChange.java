package com.abiquo.aim.network;

/** One change a call made to links or files; an empty list of them means the call changed nothing. */
public record VlanChange(Kind kind, String target) {
    public enum Kind { BRIDGE_CREATED, LINK_UP, VLAN_CREATED, VLAN_ATTACHED, FILE_WRITTEN, VLAN_DELETED,
        BRIDGE_DELETED, FILE_REMOVED, IFUP_RUN }

    @Override
    public String toString() {
        return kind.name().toLowerCase(java.util.Locale.ROOT).replace('_', ' ') + " " + target;
    }
}
