package com.abiquo.aim.libvirt.events;

import java.util.List;

/**
 * libvirt lifecycle event (virDomainEventType + detail) to AIM's event, the way the original AIM mapped them:
 * DEFINED -> CREATED, UNDEFINED -> DESTROYED, STARTED -> POWERED_ON, SUSPENDED -> PAUSED, RESUMED -> RESUMED,
 * STOPPED -> POWERED_OFF except STOPPED/SAVED -> SAVED; plus SHUTDOWN, CRASHED and PMSUSPENDED, which it ignored.
 */
public final class LifecycleMapping {
    private static final List<String> TYPES = List.of("DEFINED", "UNDEFINED", "STARTED", "SUSPENDED", "RESUMED",
            "STOPPED", "SHUTDOWN", "PMSUSPENDED", "CRASHED");
    private static final List<List<String>> DETAILS = List.of(
            List.of("ADDED", "UPDATED", "RENAMED", "FROM_SNAPSHOT"),
            List.of("REMOVED", "RENAMED"),
            List.of("BOOTED", "MIGRATED", "RESTORED", "FROM_SNAPSHOT", "WAKEUP"),
            List.of("PAUSED", "MIGRATED", "IOERROR", "WATCHDOG", "RESTORED", "FROM_SNAPSHOT", "API_ERROR",
                    "POSTCOPY", "POSTCOPY_FAILED"),
            List.of("UNPAUSED", "MIGRATED", "FROM_SNAPSHOT", "POSTCOPY", "POSTCOPY_FAILED"),
            List.of("SHUTDOWN", "DESTROYED", "CRASHED", "MIGRATED", "SAVED", "FAILED", "FROM_SNAPSHOT"),
            List.of("FINISHED", "GUEST", "HOST"),
            List.of("MEMORY", "DISK"),
            List.of("PANICKED", "CRASHLOADED"));
    private static final int STOPPED_SAVED = 4;

    private LifecycleMapping() {
    }

    public static EventKind kind(int eventType, int detail) {
        return switch (eventType) {
            case 0 -> EventKind.CREATED;
            case 1 -> EventKind.DESTROYED;
            case 2 -> EventKind.POWERED_ON;
            case 3 -> EventKind.PAUSED;
            case 4 -> EventKind.RESUMED;
            case 5 -> detail == STOPPED_SAVED ? EventKind.SAVED : EventKind.POWERED_OFF;
            case 6 -> EventKind.SHUTTING_DOWN;
            case 7 -> EventKind.PMSUSPENDED;
            case 8 -> EventKind.CRASHED;
            default -> EventKind.UNKNOWN;
        };
    }

    /**
     * The state the event leaves the domain in. Derived from the event itself where it says (STARTED means running)
     * rather than from the state read in the callback, which may already reflect a later event.
     *
     * @param reported the state the connection read right after the event (-1 when the domain is gone)
     * @param known what the monitor knew before (null if the domain is new)
     */
    public static VmState stateAfter(int eventType, int reported, VmState known) {
        return switch (eventType) {
            case 0 -> known != null && known != VmState.UNDEFINED ? known
                    : reported >= 0 ? VmState.fromLibvirt(reported) : VmState.SHUTOFF;
            // Undefining a running domain leaves it running without a definition (the connection reports its state).
            case 1 -> reported >= 0 && VmState.fromLibvirt(reported).active() ? VmState.fromLibvirt(reported)
                    : VmState.UNDEFINED;
            case 2, 4 -> VmState.RUNNING;
            case 3 -> VmState.PAUSED;
            // A transient domain is gone once it stops: there is no UNDEFINED event for it. The libvirt connection
            // cannot tell from the event (it reports SHUTOFF); EventsMonitor knows which domains have no definition.
            case 5 -> reported == -1 ? VmState.UNDEFINED : VmState.SHUTOFF;
            case 7 -> VmState.PMSUSPENDED;
            case 8 -> VmState.CRASHED;
            default -> reported >= 0 ? VmState.fromLibvirt(reported) : known != null ? known : VmState.NOSTATE;
        };
    }

    /** "STOPPED/SAVED", "STARTED/BOOTED", or numbers for what this version does not know. */
    public static String describe(int eventType, int detail) {
        if (eventType < 0 || eventType >= TYPES.size()) {
            return "TYPE_" + eventType + "/" + detail;
        }
        List<String> details = DETAILS.get(eventType);
        String detailName = detail >= 0 && detail < details.size() ? details.get(detail) : Integer.toString(detail);
        return TYPES.get(eventType) + "/" + detailName;
    }
}
