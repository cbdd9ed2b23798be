package com.abiquo.aim.libvirt.events;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * After a reconnection: the transitions that explain how the domains went from what the monitor last knew to what
 * libvirt lists now. Events of the time in between are lost, so this is the best that can be known: a domain that
 * appeared was CREATED (and POWERED_ON if it runs), one that vanished was DESTROYED, one whose state changed did
 * the matching transition.
 */
public final class ResyncDiff {
    /** A domain as the monitor knows it. */
    public record Known(String uuid, String name, VmState state) {
    }

    /** One derived transition; {@code state} is the state after it. */
    public record Transition(String uuid, String name, EventKind kind, VmState state) {
    }

    private ResyncDiff() {
    }

    /**
     * @param known uuid -> what was last known
     * @param now uuid -> what libvirt lists now
     */
    public static List<Transition> diff(Map<String, Known> known, Map<String, Known> now) {
        List<Transition> transitions = new ArrayList<>();
        for (Known current : now.values()) {
            Known before = known.get(current.uuid());
            if (before == null) {
                transitions.add(new Transition(current.uuid(), current.name(), EventKind.CREATED,
                        current.state().active() ? VmState.SHUTOFF : current.state()));
                transitions.addAll(between(current.uuid(), current.name(), VmState.SHUTOFF, current.state()));
            } else {
                transitions.addAll(between(current.uuid(), current.name(), before.state(), current.state()));
            }
        }
        for (Known before : known.values()) {
            if (!now.containsKey(before.uuid())) {
                transitions.add(new Transition(before.uuid(), before.name(), EventKind.DESTROYED, VmState.UNDEFINED));
            }
        }
        return transitions;
    }

    /** The events that lead from one state to another (empty when nothing a client cares about changed). */
    static List<Transition> between(String uuid, String name, VmState from, VmState to) {
        List<Transition> result = new ArrayList<>();
        if (from == to) {
            return result;
        }
        boolean wasOn = from.active();
        switch (to) {
            case RUNNING, BLOCKED -> {
                if (from == VmState.PAUSED) {
                    result.add(new Transition(uuid, name, EventKind.RESUMED, to));
                } else if (!wasOn || from == VmState.PMSUSPENDED) {
                    result.add(new Transition(uuid, name, EventKind.POWERED_ON, to));
                }
                // RUNNING <-> BLOCKED, SHUTDOWN -> RUNNING: still the same running guest, nothing to tell.
            }
            case PAUSED, PMSUSPENDED, SHUTDOWN -> {
                if (!wasOn) {
                    result.add(new Transition(uuid, name, EventKind.POWERED_ON, VmState.RUNNING));
                }
                EventKind kind = to == VmState.PAUSED ? EventKind.PAUSED
                        : to == VmState.PMSUSPENDED ? EventKind.PMSUSPENDED : EventKind.SHUTTING_DOWN;
                result.add(new Transition(uuid, name, kind, to));
            }
            case SHUTOFF -> {
                if (wasOn || from == VmState.CRASHED) {
                    result.add(new Transition(uuid, name, EventKind.POWERED_OFF, to));
                }
            }
            case CRASHED -> result.add(new Transition(uuid, name, EventKind.CRASHED, to));
            case UNDEFINED -> result.add(new Transition(uuid, name, EventKind.DESTROYED, to));
            default -> {
                // NOSTATE: libvirt does not know either; say nothing.
            }
        }
        return result;
    }

    /** Convenience for tests and callers that hold a list. */
    public static Map<String, Known> byUuid(List<Known> domains) {
        Map<String, Known> map = new LinkedHashMap<>();
        for (Known domain : domains) {
            map.put(domain.uuid(), domain);
        }
        return map;
    }
}
