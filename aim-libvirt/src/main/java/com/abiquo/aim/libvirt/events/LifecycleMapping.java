package com.abiquo.aim.libvirt.events;

import com.abiquo.aim.libvirt.connection.DomainStates;
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
     * The one rule for the state an event leaves a domain in, from the event and what the record knew before it.
     * Derived, not read from libvirt: the callback must never wait for the daemon, and a state read later may already
     * reflect a later event. Which domains have no definition (gone once they stop, with no UNDEFINED event) is the
     * record's to follow ({@code KnownDomains.followDefinition}).
     *
     * @param known the domain's state before the event, or null when the record does not know it
     */
    public static VmState stateAfter(int eventType, VmState known) {
        boolean wasKnown = known != null && known != VmState.UNDEFINED;
        return switch (eventType) {
            // A running domain can be (re)defined: its state does not change; a new definition is powered off.
            case DomainStates.EVENT_DEFINED -> wasKnown ? known : VmState.SHUTOFF;
            // Undefining a running domain leaves it running without a definition until it stops.
            case DomainStates.EVENT_UNDEFINED -> wasKnown && known.active() ? known : VmState.UNDEFINED;
            case DomainStates.EVENT_STARTED, DomainStates.EVENT_RESUMED -> VmState.RUNNING;
            case DomainStates.EVENT_SUSPENDED -> VmState.PAUSED;
            case DomainStates.EVENT_STOPPED -> VmState.SHUTOFF;
            case DomainStates.EVENT_SHUTDOWN -> VmState.SHUTDOWN;
            case DomainStates.EVENT_PMSUSPENDED -> VmState.PMSUSPENDED;
            case DomainStates.EVENT_CRASHED -> VmState.CRASHED;
            default -> wasKnown ? known : VmState.NOSTATE;
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
