package com.abiquo.aim.network;

import java.util.List;

/** A managed bridge and what the kernel shows of it now. */
public record BridgeState(String name, String fileName, boolean linkPresent, boolean up, String operState,
                          List<String> ports) {
    public BridgeState {
        ports = List.copyOf(ports);
    }
}
