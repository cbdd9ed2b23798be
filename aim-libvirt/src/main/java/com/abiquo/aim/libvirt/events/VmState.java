package com.abiquo.aim.libvirt.events;

import com.abiquo.aim.libvirt.connection.DomainStates;

/** A domain's state as libvirt's virDomainState (declared in its order: ordinal = virDomainState), plus UNDEFINED. */
public enum VmState {
    NOSTATE,
    RUNNING,
    BLOCKED,
    PAUSED,
    SHUTDOWN,
    SHUTOFF,
    CRASHED,
    PMSUSPENDED,
    UNDEFINED;

    /** @param libvirtState virDomainState 0..7 (as a listing reads it); anything unknown is NOSTATE */
    public static VmState fromLibvirt(int libvirtState) {
        return switch (libvirtState) {
            case 1 -> RUNNING;
            case 2 -> BLOCKED;
            case 3 -> PAUSED;
            case 4 -> SHUTDOWN;
            case 5 -> SHUTOFF;
            case 6 -> CRASHED;
            case 7 -> PMSUSPENDED;
            default -> NOSTATE;
        };
    }

    /** Whether a guest is there, by the connection's one rule ({@link DomainStates#isActive}: CRASHED is not). */
    public boolean active() {
        return this != UNDEFINED && DomainStates.isActive(ordinal());
    }
}
