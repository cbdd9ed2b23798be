package com.abiquo.aim.server.calls;

/**
 * The kinds of call that must not wait behind each other. A read of a domain's state takes a few hundred
 * microseconds; a power-off takes seconds in QEMU; a copy streams gigabytes. Each class runs on its own bounded pool
 * (see {@link CallPools}), so four slow power-offs never stall the node's reads. Which method is of which class is
 * written in {@link com.abiquo.aim.server.methods.MethodTable}, with the role each needs.
 */
public enum CallClass {
    /** Get*, List*, Check*, DomainExists and the events calls: cheap, frequent, never change anything. */
    READ,
    /** libvirt actions, VLAN and storage changes: may take seconds. */
    ACTION,
    /** Rimp's copies, moves, deletes and uploads: minutes of disk I/O. */
    COPY,
    /** Health, reflection and NodeService: on the server's own small pool, never refused for a full class. */
    INFRASTRUCTURE
}
