package com.abiquo.aim.libvirt.events;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class ResyncMarkersTest {
    private final ResyncMarkers markers = new ResyncMarkers();

    @Test
    void aLiveEventTheResyncReportedIsDroppedOnce() {
        markers.mark("a", EventKind.POWERED_ON);
        markers.listingEnded(100);
        assertTrue(markers.alreadyReported("a", EventKind.POWERED_ON, 50));
        assertFalse(markers.alreadyReported("a", EventKind.POWERED_ON, 60));
        assertFalse(markers.alreadyReported("b", EventKind.POWERED_ON, 60));
    }

    @Test
    void anotherKindDuringTheListingKeepsTheMarks() {
        markers.mark("a", EventKind.POWERED_ON);
        markers.listingEnded(100);
        assertFalse(markers.alreadyReported("a", EventKind.RESUMED, 40));
        assertTrue(markers.alreadyReported("a", EventKind.POWERED_ON, 50));
    }

    @Test
    void anEventWellAfterTheListingEndsTheMarksOfItsDomain() {
        markers.mark("a", EventKind.POWERED_ON);
        markers.listingEnded(100);
        assertFalse(markers.alreadyReported("a", EventKind.POWERED_OFF, 101 + ResyncMarkers.LATE_DELIVERY_NANOS));
        assertFalse(markers.alreadyReported("a", EventKind.POWERED_ON, 50));
    }

    @Test
    void anEventLibvirtDeliversJustAfterTheListingIsStillTheResyncs() {
        markers.mark("a", EventKind.POWERED_ON);
        markers.listingEnded(100);
        assertTrue(markers.alreadyReported("a", EventKind.POWERED_ON, 101));
    }

    @Test
    void aNewListingForgetsTheMarks() {
        markers.mark("a", EventKind.POWERED_ON);
        markers.listingEnded(100);
        markers.clear();
        assertFalse(markers.alreadyReported("a", EventKind.POWERED_ON, 50));
    }
}
