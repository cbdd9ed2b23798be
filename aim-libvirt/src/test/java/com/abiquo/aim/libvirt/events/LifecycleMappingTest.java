package com.abiquo.aim.libvirt.events;

import static com.abiquo.aim.libvirt.connection.DomainStates.EVENT_CRASHED;
import static com.abiquo.aim.libvirt.connection.DomainStates.EVENT_DEFINED;
import static com.abiquo.aim.libvirt.connection.DomainStates.EVENT_PMSUSPENDED;
import static com.abiquo.aim.libvirt.connection.DomainStates.EVENT_RESUMED;
import static com.abiquo.aim.libvirt.connection.DomainStates.EVENT_SHUTDOWN;
import static com.abiquo.aim.libvirt.connection.DomainStates.EVENT_STARTED;
import static com.abiquo.aim.libvirt.connection.DomainStates.EVENT_STOPPED;
import static com.abiquo.aim.libvirt.connection.DomainStates.EVENT_SUSPENDED;
import static com.abiquo.aim.libvirt.connection.DomainStates.EVENT_UNDEFINED;
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
    void theStateAfterAnEventComesFromTheEventAndWhatWasKnown() {
        assertEquals(VmState.SHUTOFF, LifecycleMapping.stateAfter(EVENT_DEFINED, null), "new definition");
        assertEquals(VmState.SHUTOFF, LifecycleMapping.stateAfter(EVENT_DEFINED, VmState.UNDEFINED), "defined again");
        assertEquals(VmState.RUNNING, LifecycleMapping.stateAfter(EVENT_DEFINED, VmState.RUNNING),
                "redefined while on");
        assertEquals(VmState.UNDEFINED, LifecycleMapping.stateAfter(EVENT_UNDEFINED, VmState.SHUTOFF));
        assertEquals(VmState.UNDEFINED, LifecycleMapping.stateAfter(EVENT_UNDEFINED, null));
        assertEquals(VmState.RUNNING, LifecycleMapping.stateAfter(EVENT_UNDEFINED, VmState.RUNNING),
                "undefined while running: it runs on without a definition");
        assertEquals(VmState.PAUSED, LifecycleMapping.stateAfter(EVENT_UNDEFINED, VmState.PAUSED),
                "undefined while paused");
        assertEquals(VmState.UNDEFINED, LifecycleMapping.stateAfter(EVENT_UNDEFINED, VmState.CRASHED),
                "a crashed guest is not active: no transient leftover");
        assertEquals(VmState.RUNNING, LifecycleMapping.stateAfter(EVENT_STARTED, VmState.SHUTOFF));
        assertEquals(VmState.PAUSED, LifecycleMapping.stateAfter(EVENT_SUSPENDED, VmState.RUNNING));
        assertEquals(VmState.RUNNING, LifecycleMapping.stateAfter(EVENT_RESUMED, VmState.PAUSED));
        assertEquals(VmState.SHUTOFF, LifecycleMapping.stateAfter(EVENT_STOPPED, VmState.RUNNING));
        assertEquals(VmState.SHUTDOWN, LifecycleMapping.stateAfter(EVENT_SHUTDOWN, VmState.RUNNING));
        assertEquals(VmState.PMSUSPENDED, LifecycleMapping.stateAfter(EVENT_PMSUSPENDED, null));
        assertEquals(VmState.CRASHED, LifecycleMapping.stateAfter(EVENT_CRASHED, null));
        assertEquals(VmState.PAUSED, LifecycleMapping.stateAfter(42, VmState.PAUSED),
                "an event type of a later libvirt");
        assertEquals(VmState.NOSTATE, LifecycleMapping.stateAfter(42, null));
    }

    @Test
    void describesTypeAndDetail() {
        assertEquals("STOPPED/SAVED", LifecycleMapping.describe(5, 4));
        assertEquals("STARTED/BOOTED", LifecycleMapping.describe(2, 0));
        assertEquals("SUSPENDED/17", LifecycleMapping.describe(3, 17));
        assertEquals("TYPE_12/3", LifecycleMapping.describe(12, 3));
    }
}
