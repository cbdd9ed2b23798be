package com.abiquo.aim.network;

/** A managed VLAN and what the kernel shows of it now. */
public record VlanState(VlanSpec spec, String fileName, boolean linkPresent, boolean up, String operState,
                        boolean attached, boolean parentPresent, boolean bridgeUp) {
    /** Everything the ifcfg file describes is there: link up, in its bridge, the bridge up. */
    public boolean complete() {
        return linkPresent && up && attached && bridgeUp;
    }
}
