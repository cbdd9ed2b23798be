package com.abiquo.aim.libvirt.events;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import org.junit.jupiter.api.Test;

class SnapshotItemsTest {
    @Test
    void framesTheSelectedDomainsBetweenStartAndEnd() {
        List<ResyncDiff.Known> known = List.of(new ResyncDiff.Known("a", "vm-a", VmState.RUNNING),
                new ResyncDiff.Known("b", "vm-b", VmState.SHUTOFF));
        SubscriptionFilter onlyB = SubscriptionFilter.domains(List.of(DomainKey.name("vm-b")), List.of());
        assertEquals(List.of(new StreamItem.SnapshotStart(StreamItem.SnapshotReason.REQUESTED, 7, 1),
                        new StreamItem.SnapshotDomain("b", "vm-b", VmState.SHUTOFF),
                        new StreamItem.SnapshotEnd(StreamItem.SnapshotReason.REQUESTED, 7)),
                SnapshotItems.of(known, onlyB, StreamItem.SnapshotReason.REQUESTED, 7));
    }

    @Test
    void anEmptySelectionIsStillFramed() {
        assertEquals(List.of(new StreamItem.SnapshotStart(StreamItem.SnapshotReason.RESUME_POINT_LOST, 3, 0),
                        new StreamItem.SnapshotEnd(StreamItem.SnapshotReason.RESUME_POINT_LOST, 3)),
                SnapshotItems.of(List.of(), SubscriptionFilter.domains(List.of(), List.of()),
                        StreamItem.SnapshotReason.RESUME_POINT_LOST, 3));
    }
}
