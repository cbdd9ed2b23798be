package com.abiquo.aim.libvirt.connection;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import com.abiquo.aim.libvirt.connection.DomainEventSource.DomainStateSnapshot;
import java.util.List;
import org.junit.jupiter.api.Test;

/** A listing is a picture of when it began: events after that moment win over it. */
class KnownDomainStatesTest {
    private static final int RUNNING = 1;
    private static final int PAUSED = 3;
    private static final int SHUTOFF = 5;

    private final KnownDomainStates known = new KnownDomainStates();

    @Test
    void anEventDuringTheListingIsNotOverwrittenByIt() {
        known.recordEvent("a", RUNNING, 100);
        // The listing began at 150 and saw "a" running; "a" was paused at 200 while it ran.
        known.recordEvent("a", PAUSED, 200);
        known.recordListing(List.of(new DomainStateSnapshot("a", "a", RUNNING)), 150);
        assertEquals(PAUSED, known.get("a"));
    }

    @Test
    void aDomainDefinedDuringTheListingIsNotDropped() {
        known.recordEvent("new", SHUTOFF, 200);
        known.recordListing(List.of(), 150);
        assertEquals(SHUTOFF, known.get("new"));
    }

    @Test
    void aDomainUndefinedDuringTheListingIsNotBroughtBack() {
        known.recordEvent("gone", SHUTOFF, 100);
        known.recordEvent("gone", DomainStates.GONE, 200);
        known.recordListing(List.of(new DomainStateSnapshot("gone", "gone", SHUTOFF)), 150);
        assertNull(known.get("gone"));
    }

    @Test
    void aListingReplacesOlderKnowledgeAndDropsWhatItNoLongerHas() {
        known.recordEvent("a", RUNNING, 100);
        known.recordEvent("b", RUNNING, 100);
        known.recordListing(List.of(new DomainStateSnapshot("a", "a", PAUSED)), 300);
        assertEquals(PAUSED, known.get("a"));
        assertNull(known.get("b"));
    }

    @Test
    void tombstonesOfTransientDomainsDoNotPileUp() {
        known.recordEvent("t1", RUNNING, 0);
        known.recordEvent("t1", DomainStates.GONE, 10);
        long later = 10 + KnownDomainStates.TOMBSTONE_NANOS + 1;
        known.recordEvent("t2", RUNNING, later);
        known.recordEvent("t2", DomainStates.GONE, later + 10);
        assertEquals(1, known.size(), "only the recent tombstone is kept");
        assertNull(known.get("t1"));
        assertNull(known.get("t2"));
    }
}
