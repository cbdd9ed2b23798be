package com.abiquo.aim.libvirt.events;

/** What a subscriber's stream carries, in order: Started, an optional snapshot, then journal events. */
public sealed interface StreamItem {
    /** Always first. */
    record Started(String subscriptionId, long lastSequence, long oldestSequence, boolean resumed,
                   boolean sourceConnected) implements StreamItem {
    }

    enum SnapshotReason { REQUESTED, RESUME_POINT_LOST }

    record SnapshotStart(SnapshotReason reason, long asOfSequence, int domainCount) implements StreamItem {
    }

    record SnapshotDomain(String uuid, String name, VmState state) implements StreamItem {
    }

    record SnapshotEnd(SnapshotReason reason, long asOfSequence) implements StreamItem {
    }

    /** A journal event, shared by every subscriber that receives it. */
    record Event(EventJournal.Entry entry) implements StreamItem {
    }
}
