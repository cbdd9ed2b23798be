package com.abiquo.aim.libvirt.events;

import com.abiquo.aim.core.error.AimException;
import com.abiquo.aim.libvirt.LibvirtErrorReason;
import io.grpc.Status;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Predicate;

/**
 * The last {@code capacity} events in a ring. One writer (the monitor's dispatcher thread) appends; any number of
 * readers read by sequence number without a lock: an entry is published by the volatile write of
 * {@link #lastSequence()}, and a reader that finds a slot already overwritten by a newer event gets null (it fell out
 * of the journal).
 *
 * <p>Subscribers read straight from here, so a subscriber's "buffer" is just its position in the journal: no event
 * is copied per subscriber.
 */
public final class EventJournal {
    /** One slot. The encoded field lets the gRPC adapter build the wire message once for all subscribers. */
    public static final class Entry {
        private final MonitorEvent event;
        private volatile Object encoded;

        Entry(MonitorEvent event) {
            this.event = event;
        }

        public MonitorEvent event() {
            return event;
        }

        /** The wire form, computed once (a race computes it twice, harmlessly). */
        @SuppressWarnings("unchecked")
        public <T> T encoded(java.util.function.Function<MonitorEvent, T> encoder) {
            Object value = encoded;
            if (value == null) {
                value = encoder.apply(event);
                encoded = value;
            }
            return (T) value;
        }
    }

    private final Entry[] ring;
    private final long firstSequence;
    private volatile long lastSequence;

    /**
     * @param capacity events kept
     * @param firstSequence the sequence number of the first event this journal will hold
     */
    public EventJournal(int capacity, long firstSequence) {
        if (capacity < 1) {
            throw new IllegalArgumentException("journal capacity must be at least 1, got " + capacity);
        }
        if (firstSequence < 1) {
            throw new IllegalArgumentException("sequence numbers start at 1 or above, got " + firstSequence);
        }
        this.ring = new Entry[capacity];
        this.firstSequence = firstSequence;
        this.lastSequence = firstSequence - 1;
    }

    public int capacity() {
        return ring.length;
    }

    /** The sequence number the next appended event must carry. */
    public long nextSequence() {
        return lastSequence + 1;
    }

    /** The newest sequence number appended; {@code firstSequence - 1} while empty. */
    public long lastSequence() {
        return lastSequence;
    }

    /** The oldest sequence number still held; {@code lastSequence + 1} while empty. */
    public long oldestSequence() {
        long last = lastSequence;
        return Math.max(firstSequence, last - ring.length + 1);
    }

    /** The first sequence number of this run of the agent. */
    public long firstSequence() {
        return firstSequence;
    }

    /** Whether a client that saw {@code sequence} can be served exactly what came after it. */
    public boolean canResumeAfter(long sequence) {
        long last = lastSequence;
        return sequence >= oldestSequence() - 1 && sequence >= firstSequence - 1 && sequence <= last;
    }

    /** Single writer only. */
    public Entry append(MonitorEvent event) {
        long expected = lastSequence + 1;
        if (event.sequence() != expected) {
            throw new IllegalStateException("journal expects sequence " + expected + ", got " + event.sequence());
        }
        Entry entry = new Entry(event);
        ring[(int) ((expected - firstSequence) % ring.length)] = entry;
        lastSequence = expected;
        return entry;
    }

    /** The entry with this sequence number, or null when it is not (or no longer) in the journal. */
    public Entry get(long sequence) {
        if (sequence < firstSequence || sequence > lastSequence) {
            return null;
        }
        Entry entry = ring[(int) ((sequence - firstSequence) % ring.length)];
        return entry != null && entry.event.sequence() == sequence ? entry : null;
    }

    /**
     * Events after {@code afterSequence} that match, oldest first, at most {@code max}. An event after
     * {@code afterSequence} that is no longer held (dropped before the read, or overwritten while it reads) fails the
     * read: skipping it would give a page with a hole and a resume point past the hole.
     *
     * @return the events and the sequence number to continue after
     * @throws AimException OUT_OF_RANGE when events after {@code afterSequence} are gone
     */
    public Page read(long afterSequence, int max, Predicate<MonitorEvent> filter) throws AimException {
        long last = lastSequence;
        if (afterSequence > last) {
            // Not issued yet (a sequence of an earlier run whose clock was ahead, a made-up number): a page "after"
            // it would tell the client to go on from beyond the newest event and skip every event up to there.
            throw new AimException(Status.Code.OUT_OF_RANGE, LibvirtErrorReason.SEQUENCE_NOT_ISSUED, "sequence " + afterSequence
                    + " has not been issued (the newest is " + last + "); subscribe with include_snapshot to get the"
                    + " current state");
        }
        List<MonitorEvent> events = new ArrayList<>();
        long position = afterSequence + 1;
        for (; position <= last && events.size() < max; position++) {
            Entry entry = get(position);
            if (entry == null) {
                throw new AimException(Status.Code.OUT_OF_RANGE, LibvirtErrorReason.JOURNAL_POINT_GONE, "events after sequence "
                        + afterSequence + " are no longer in the journal (it holds " + oldestSequence() + " to "
                        + lastSequence + "); subscribe with include_snapshot to get the current state");
            }
            if (filter.test(entry.event)) {
                events.add(entry.event);
            }
        }
        return new Page(List.copyOf(events), Math.max(afterSequence, position - 1));
    }

    public record Page(List<MonitorEvent> events, long nextAfterSequence) {
    }
}
