package com.abiquo.aim.libvirt.connection;

import com.abiquo.aim.libvirt.connection.DomainEventSource.DomainStateSnapshot;
import java.util.Collection;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The last state seen per domain uuid, from events (on the event-loop thread) and from listings (on another thread).
 * A listing is a picture taken when it began: it must not overwrite, drop or bring back a domain that an event
 * changed after that moment. So every entry carries the time it was set, and an undefined domain stays as a
 * tombstone until a later listing confirms it is gone.
 */
final class KnownDomainStates {
    private record Entry(int state, long setNanos) {
    }

    /** Far longer than any domain listing takes. */
    static final long TOMBSTONE_NANOS = java.util.concurrent.TimeUnit.MINUTES.toNanos(10);

    private final Map<String, Entry> states = new ConcurrentHashMap<>();

    /** The state libvirt reported last, or null when unknown or undefined. */
    Integer get(String uuid) {
        Entry entry = states.get(uuid);
        return entry == null || entry.state() == DomainStates.GONE ? null : entry.state();
    }

    /** From an event received at {@code receivedNanos}; {@link DomainStates#GONE} for an undefined domain. */
    void recordEvent(String uuid, int state, long receivedNanos) {
        states.merge(uuid, new Entry(state, receivedNanos),
                (old, fresh) -> old.setNanos() > fresh.setNanos() ? old : fresh);
        if (state == DomainStates.GONE) {
            // A tombstone only has to outlive a listing in progress; transient domains get fresh uuids, so old
            // tombstones would otherwise pile up on a connection that never relists.
            states.entrySet().removeIf(entry -> entry.getValue().state() == DomainStates.GONE
                    && receivedNanos - entry.getValue().setNanos() > TOMBSTONE_NANOS);
        }
    }

    /** From a listing that began at {@code listingStartNanos}. */
    void recordListing(Collection<DomainStateSnapshot> listing, long listingStartNanos) {
        Set<String> present = new HashSet<>();
        for (DomainStateSnapshot domain : listing) {
            present.add(domain.uuid());
            states.merge(domain.uuid(), new Entry(domain.state(), listingStartNanos),
                    (old, listed) -> old.setNanos() > listingStartNanos ? old : listed);
        }
        states.entrySet().removeIf(entry -> !present.contains(entry.getKey())
                && entry.getValue().setNanos() <= listingStartNanos);
    }

    /** Entries held, tombstones included (for tests). */
    int size() {
        return states.size();
    }
}
