package com.abiquo.aim.libvirt.events;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Resync duplicate suppression. A transition that happened while the domains were being listed after a reconnection
 * is both reported by the resync and delivered live by libvirt; this remembers what the resync reported for each
 * domain so the live event is journaled once.
 *
 * <p>Not thread-safe: {@link DomainRecord} calls every method with its lock held.
 */
final class ResyncMarkers {
    /**
     * libvirt hands an event over through its event loop a moment after the change: one the listing already saw can
     * arrive after the listing ended. DomainRecord consults the marks only for events that change nothing.
     */
    static final long LATE_DELIVERY_NANOS = java.util.concurrent.TimeUnit.SECONDS.toNanos(2);

    private final Map<String, List<EventKind>> reported = new HashMap<>();
    private long listingEndNanos;

    /** A new listing: what earlier resyncs reported no longer matters. */
    void clear() {
        reported.clear();
    }

    /** The resync journaled this transition of the domain. */
    void mark(String uuid, EventKind kind) {
        reported.computeIfAbsent(uuid, key -> new ArrayList<>()).add(kind);
    }

    /** When the listing of the last resync ended: a live event received later is news to it. */
    void listingEnded(long nanos) {
        listingEndNanos = nanos;
    }

    /**
     * Whether a live event is one the resync already reported; the mark it matched is used up.
     *
     * @param uuid the domain's uuid in lower case
     */
    boolean alreadyReported(String uuid, EventKind kind, long receivedNanos) {
        List<EventKind> kinds = reported.get(uuid);
        if (kinds == null) {
            return false;
        }
        if (receivedNanos - listingEndNanos > LATE_DELIVERY_NANOS) {
            reported.remove(uuid); // well after the listing: nothing the resync saw any more
            return false;
        }
        if (kinds.remove(kind)) {
            if (kinds.isEmpty()) {
                reported.remove(uuid);
            }
            return true;
        }
        // Another kind reported during the listing (QEMU's RESUMED before STARTED): the marks stay for the rest.
        return false;
    }
}
