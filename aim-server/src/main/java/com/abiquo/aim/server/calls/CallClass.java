package com.abiquo.aim.server.calls;

import java.util.Set;

/**
 * The kinds of call that must not wait behind each other. A read of a domain's state takes a few hundred
 * microseconds; a power-off takes seconds in QEMU; a copy streams gigabytes. Each class runs on its own bounded pool
 * (see {@link CallPools}), so four slow power-offs never stall the node's reads.
 */
public enum CallClass {
    /** Get*, List*, Check*, DomainExists and the events calls: cheap, frequent, never change anything. */
    READ,
    /** libvirt actions, VLAN and storage changes: may take seconds. */
    ACTION,
    /** Rimp's copies, moves, deletes and uploads: minutes of disk I/O. */
    COPY;

    private static final String RIMP = "abiquo.aim.v1.RimpService";
    private static final Set<String> READ_PREFIXES = Set.of("Get", "List", "Check");
    private static final Set<String> OTHER_READS = Set.of("DomainExists", "Subscribe", "ModifySubscription",
            "Unsubscribe");

    /** The class of an AIM method, from its service and method name as the descriptors spell them. */
    public static CallClass of(String service, String method) {
        if (OTHER_READS.contains(method) || READ_PREFIXES.stream().anyMatch(method::startsWith)) {
            return READ;
        }
        return RIMP.equals(service) ? COPY : ACTION;
    }
}
