package com.abiquo.aim.libvirt.events;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

class LifecycleMappingTest {
    @Test
    void mapsLibvirtEventsTheWayTheOriginalDid() {
        assertEquals(EventKind.CREATED, LifecycleMapping.kind(0, 0));
        assertEquals(EventKind.CREATED, LifecycleMapping.kind(0, 1));
        assertEquals(EventKind.DESTROYED, LifecycleMapping.kind(1, 0));
        assertEquals(EventKind.POWERED_ON, LifecycleMapping.kind(2, 0));
        assertEquals(EventKind.POWERED_ON, LifecycleMapping.kind(2, 2));
        assertEquals(EventKind.PAUSED, LifecycleMapping.kind(3, 0));
        assertEquals(EventKind.RESUMED, LifecycleMapping.kind(4, 0));
        assertEquals(EventKind.POWERED_OFF, LifecycleMapping.kind(5, 0));
        assertEquals(EventKind.POWERED_OFF, LifecycleMapping.kind(5, 1));
        assertEquals(EventKind.SAVED, LifecycleMapping.kind(5, 4));
        assertEquals(EventKind.SHUTTING_DOWN, LifecycleMapping.kind(6, 0));
        assertEquals(EventKind.PMSUSPENDED, LifecycleMapping.kind(7, 0));
        assertEquals(EventKind.CRASHED, LifecycleMapping.kind(8, 0));
        assertEquals(EventKind.UNKNOWN, LifecycleMapping.kind(42, 0));
    }

    @Test
    void stateAfterComesFromTheEventNotFromALaterRead() {
        // The callback read "paused" (a later SUSPENDED already happened), but STARTED leaves the domain running.
        assertEquals(VmState.RUNNING, LifecycleMapping.stateAfter(2, 3, VmState.SHUTOFF));
        assertEquals(VmState.SHUTOFF, LifecycleMapping.stateAfter(5, 5, VmState.RUNNING));
        assertEquals(VmState.UNDEFINED, LifecycleMapping.stateAfter(5, -1, VmState.RUNNING), "transient domain");
        assertEquals(VmState.UNDEFINED, LifecycleMapping.stateAfter(1, -1, VmState.SHUTOFF));
        assertEquals(VmState.PAUSED, LifecycleMapping.stateAfter(1, 3, VmState.PAUSED), "undefined while paused");
        assertEquals(VmState.RUNNING, LifecycleMapping.stateAfter(0, 5, VmState.RUNNING), "redefined while on");
        assertEquals(VmState.SHUTOFF, LifecycleMapping.stateAfter(0, -1, null), "new definition");
        assertEquals(VmState.PAUSED, LifecycleMapping.stateAfter(3, 1, VmState.RUNNING));
    }

    @Test
    void describesTypeAndDetail() {
        assertEquals("STOPPED/SAVED", LifecycleMapping.describe(5, 4));
        assertEquals("STARTED/BOOTED", LifecycleMapping.describe(2, 0));
        assertEquals("SUSPENDED/17", LifecycleMapping.describe(3, 17));
        assertEquals("TYPE_12/3", LifecycleMapping.describe(12, 3));
    }
}
