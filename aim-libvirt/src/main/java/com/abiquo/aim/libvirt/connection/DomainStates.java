package com.abiquo.aim.libvirt.connection;

/**
 * libvirt's numbers for domain states and lifecycle event types, and the one rule for whether a domain is active.
 * The state a domain is in after an event is not worked out here: the events monitor does it, on its one record of
 * domain state ({@code LifecycleMapping.stateAfter}).
 */
public final class DomainStates {
    public static final int GONE = -1;
    public static final int NOSTATE = 0;
    public static final int RUNNING = 1;
    public static final int BLOCKED = 2;
    public static final int PAUSED = 3;
    public static final int SHUTDOWN = 4;
    public static final int SHUTOFF = 5;
    public static final int CRASHED = 6;
    public static final int PMSUSPENDED = 7;

    public static final int EVENT_DEFINED = 0;
    public static final int EVENT_UNDEFINED = 1;
    public static final int EVENT_STARTED = 2;
    public static final int EVENT_SUSPENDED = 3;
    public static final int EVENT_RESUMED = 4;
    public static final int EVENT_STOPPED = 5;
    public static final int EVENT_SHUTDOWN = 6;
    public static final int EVENT_PMSUSPENDED = 7;
    public static final int EVENT_CRASHED = 8;

    private DomainStates() {
    }

    /** A state for messages to people: "running", "paused", "suspended to RAM", ... */
    public static String describe(int state) {
        return switch (state) {
            case GONE -> "gone";
            case RUNNING -> "running";
            case BLOCKED -> "blocked";
            case PAUSED -> "paused";
            case SHUTDOWN -> "shutting down";
            case SHUTOFF -> "shut off";
            case CRASHED -> "crashed";
            case PMSUSPENDED -> "suspended to RAM";
            default -> "in no known state";
        };
    }

    /**
     * Whether a guest is there: running, blocked, paused, shutting down or suspended to RAM. The one rule for "active"
     * (the events monitor's {@code VmState.active()} asks this too).
     *
     * <p>CRASHED is not active. A crashed guest no longer runs: with libvirt's default {@code on_crash} (destroy) its
     * QEMU process is gone and {@code virDomainIsActive} is false; only {@code on_crash=preserve} keeps a process,
     * for a post-mortem dump, not a guest that runs on. So a domain that is CRASHED and then RUNNING was powered on
     * again (a resync reports POWERED_ON), one undefined while crashed is gone (no transient leftover waiting for a
     * STOPPED that may never come), and CRASHED -> SHUTOFF is reported as POWERED_OFF.
     */
    public static boolean isActive(int state) {
        return state == RUNNING || state == BLOCKED || state == PAUSED || state == SHUTDOWN || state == PMSUSPENDED;
    }
}
