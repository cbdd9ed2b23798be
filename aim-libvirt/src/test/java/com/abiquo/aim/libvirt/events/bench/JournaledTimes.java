package com.abiquo.aim.libvirt.events.bench;

import com.abiquo.aim.libvirt.events.EventJournal;
import com.abiquo.aim.libvirt.events.EventsMonitor;
import java.util.Map;
import java.util.concurrent.ConcurrentSkipListMap;

/**
 * The benchmark's view of the dispatcher: when each event was journaled (System.nanoTime()), read through the
 * monitor's public {@link EventsMonitor#watchAppends} hook so that no measurement code sits in the monitor. The hook
 * runs once per dispatched batch, after its last event: the benchmark's events are paced, one per batch.
 */
final class JournaledTimes {
    private final ConcurrentSkipListMap<Long, Long> journaledAt = new ConcurrentSkipListMap<>();

    JournaledTimes(EventsMonitor monitor) {
        EventJournal journal = monitor.journal();
        monitor.watchAppends(() -> journaledAt.put(journal.lastSequence(), System.nanoTime()));
    }

    /** Callback -> journaled for this entry, or Long.MAX_VALUE when unknown. */
    long callbackToJournaled(EventJournal.Entry entry) {
        if (entry == null) {
            return Long.MAX_VALUE;
        }
        Map.Entry<Long, Long> batch = journaledAt.ceilingEntry(entry.event().sequence());
        return batch == null ? Long.MAX_VALUE : batch.getValue() - entry.event().receivedNanos();
    }
}
