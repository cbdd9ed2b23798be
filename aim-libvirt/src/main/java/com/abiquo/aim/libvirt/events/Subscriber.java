package com.abiquo.aim.libvirt.events;

import static java.util.Objects.requireNonNull;

import java.time.Duration;
import java.util.ArrayDeque;
import java.util.List;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executor;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Consumer;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.Logger;

/**
 * One open subscription. Its events are not copied: it reads the shared journal from its own position (cursor) and
 * sends while its stream is ready. Its bounded buffer is therefore the distance between that position and the
 * journal's newest event, counting only events that arrived after it subscribed (a replay after a resume is read
 * from the journal and does not count). When that distance exceeds the buffer size while the client takes nothing
 * (its stream stays not ready for the stall grace, 1 s by default), the subscription ends with
 * {@link StreamEnd#OVERFLOW} and the client resumes by sequence number. The grace keeps a burst that fills the
 * transport for a moment from cutting off a client that reads; a client that reads but slower than events come falls
 * out of the journal and is cut off then.
 *
 * <p>All sending happens in {@link #drain()}, one run at a time per subscriber (a work-in-progress counter), on the
 * monitor's drain pool: the dispatcher only claims subscribers and hands them to it. A stalled subscriber occupies no
 * thread.
 */
public final class Subscriber {
    private static final Logger LOG = LogManager.getLogger(Subscriber.class);
    /** Events one drain sends before it gives the thread to the next subscriber (a long replay must not hog it). */
    private static final int SENDS_PER_TURN = 256;

    private final String id;
    private final SubscriberSink sink;
    private final EventJournal journal;
    private final int bufferSize;
    private final long liveFrom;
    private final Executor executor;
    private final ScheduledExecutorService timer;
    private final long stallGraceNanos;
    private final Consumer<Subscriber> onEnded;
    private final AtomicBoolean recheckScheduled = new AtomicBoolean();
    private final AtomicInteger work = new AtomicInteger();
    /** Filter changes in the order they were made; the drain applies each once its cursor passes its point. */
    private final Queue<Change> changes = new ConcurrentLinkedQueue<>();
    private final Runnable drainTask = this::drain;
    /** The first end asked for wins, reason and message together (a cancel and a shutdown may race). */
    private final AtomicReference<EndRequest> endRequest = new AtomicReference<>();
    /**
     * Snapshots queued (the initial one, those of domains added by a modification) whose end is not sent yet. While
     * one is, the stream has no resume point: resuming would never send the domains not sent yet.
     */
    private final AtomicInteger unsentSnapshots = new AtomicInteger();
    /** Open until the stream has ended: what was handed to it is final then. */
    private final CountDownLatch finished = new CountDownLatch(1);
    /** Unsubscribe's answer, fixed when the stream ended (a later modification must not change it). */
    private volatile long lastSentAtEnd;

    /** The filter as last requested (read by the monitor to compute modifications; guarded by the monitor's lock). */
    private volatile SubscriptionFilter requestedFilter;
    private volatile long lastSent;
    private volatile boolean ended;
    private volatile StreamEnd endReason;

    // Owned by the drain (one thread at a time; the work counter gives the happens-before between runs).
    private SubscriptionFilter filter;
    private final ArrayDeque<StreamItem> outbox;
    private long cursor;
    private long lastProgressNanos = System.nanoTime();

    /**
     * @param cursor the first sequence number to examine
     * @param liveFrom events after this sequence count against the buffer
     * @param initialItems sent first (Started, a snapshot)
     */
    Subscriber(String id, SubscriberSink sink, EventJournal journal, int bufferSize, SubscriptionFilter filter,
               long cursor, long liveFrom, List<StreamItem> initialItems, Executor executor,
               ScheduledExecutorService timer, Duration stallGrace, Consumer<Subscriber> onEnded) {
        this.id = requireNonNull(id, "id is null");
        this.sink = requireNonNull(sink, "sink is null");
        this.journal = requireNonNull(journal, "journal is null");
        this.bufferSize = bufferSize;
        this.filter = requireNonNull(filter, "filter is null");
        this.requestedFilter = filter;
        this.cursor = cursor;
        this.liveFrom = liveFrom;
        this.outbox = new ArrayDeque<>(initialItems);
        this.unsentSnapshots.set(snapshotsIn(initialItems));
        this.executor = requireNonNull(executor, "executor is null");
        this.timer = requireNonNull(timer, "timer is null");
        this.stallGraceNanos = stallGrace.toNanos();
        this.onEnded = requireNonNull(onEnded, "onEnded is null");
    }

    public String id() {
        return id;
    }

    /** The last event sequence number handed to the stream (0 if none). */
    public long lastSentSequence() {
        return lastSent;
    }

    /** Why the stream ended; null while it runs. */
    public StreamEnd endReason() {
        return endReason;
    }

    public boolean ended() {
        return ended;
    }

    /** Snapshots queued for this stream whose end is not sent yet. */
    int unsentSnapshots() {
        return unsentSnapshots.get();
    }

    /** Whether a snapshot queued for this stream is not completely sent yet (then there is no resume point). */
    boolean snapshotIncomplete() {
        return unsentSnapshots.get() > 0;
    }

    /** For tests: no drain runs or is owed. */
    boolean idle() {
        return work.get() == 0;
    }

    SubscriptionFilter requestedFilter() {
        return requestedFilter;
    }

    /**
     * Changes the filter for the events after {@code effectiveAfter}; the items (a snapshot of added domains as of
     * that point) go out just before them. A subscriber still behind that point filters the events up to it with the
     * filter in force when they happened.
     */
    void modify(SubscriptionFilter newFilter, List<StreamItem> items, long effectiveAfter) {
        requestedFilter = newFilter;
        // Counted before the drain can see the change, so an end in between finds the snapshot unsent.
        unsentSnapshots.addAndGet(snapshotsIn(items));
        changes.add(new Change(effectiveAfter, newFilter, List.copyOf(items)));
        signal();
    }

    /** Asks the subscription to end; the drain ends the stream. */
    public void end(StreamEnd reason, String message) {
        endRequest.compareAndSet(null, new EndRequest(requireNonNull(reason, "reason is null"), message));
        signal();
    }

    /** New events, a ready stream, or an end request: make sure a drain runs. Never blocks. */
    public void signal() {
        if (claim()) {
            try {
                executor.execute(drainTask);
            } catch (RuntimeException rejected) {
                // The executor is shutting down: the monitor is stopping and ends every stream itself.
                work.set(0);
            }
        }
    }

    /**
     * Records that there is work; true when the caller now owns the drain and must run {@link #drain()} (directly
     * or on an executor). Lets the monitor hand many subscribers to one task instead of one task each.
     */
    boolean claim() {
        return work.getAndIncrement() == 0;
    }

    /** Gives a claim back without draining (the pool refused the task: the monitor is stopping). */
    void release() {
        work.set(0);
    }

    /** Sends what can be sent; only by the owner of a successful {@link #claim()}. */
    void drain() {
        int missed = 1;
        while (true) {
            if (!ended) {
                try {
                    if (drainOnce()) {
                        // A long replay: let the subscribers that share this thread have their turn, and go on in
                        // a new task that inherits the ownership (the work count is left as it is).
                        try {
                            executor.execute(drainTask);
                            return;
                        } catch (RuntimeException rejected) {
                            // Stopping: keep going here.
                        }
                    }
                } catch (RuntimeException failure) {
                    LOG.warn("Event subscription {} failed while sending; it is closed", id, failure);
                    // Ended with a status, or the client would wait on a stream that sends nothing more.
                    finish(StreamEnd.FAILED, "the agent failed to send on this stream (" + failure + ")");
                }
            }
            missed = work.addAndGet(-missed);
            if (missed == 0) {
                return;
            }
        }
    }

    /** @return true when it stopped after {@link #SENDS_PER_TURN} events with more to send */
    private boolean drainOnce() {
        EndRequest requested = endRequest.get();
        if (requested != null) {
            finish(requested.reason(), requested.message());
            return false;
        }
        long head = journal.lastSequence();
        int sent = 0;
        while (true) {
            // After reading head: a change made before an event up to head was journaled is seen here.
            if (!applyChangesAndFlush(head)) {
                return false;
            }
            if (cursor > head) {
                return false;
            }
            if (sent == SENDS_PER_TURN) {
                return true;
            }
            EndRequest endNow = endRequest.get();
            if (endNow != null) {   // without the rest of this turn: Unsubscribe waits for the end
                finish(endNow.reason(), endNow.message());
                return false;
            }
            EventJournal.Entry entry = journal.get(cursor);
            if (entry == null) {
                finish(StreamEnd.OVERFLOW, "the subscriber fell behind by more than the journal holds ("
                        + journal.capacity() + " events); the events after sequence " + (cursor - 1) + " it did not"
                        + " get have left the journal, so resuming there starts with the current state (a snapshot"
                        + " with reason RESUME_POINT_LOST) instead of them");
                return false;
            }
            if (filter.matches(entry.event())) {
                if (!sink.isReady()) {
                    checkStalled(head);
                    return false;
                }
                sink.send(new StreamItem.Event(entry));
                sent++;
                lastSent = cursor;
                lastProgressNanos = System.nanoTime();
            }
            cursor++;
        }
    }

    /**
     * A stream that is not ready while more than the buffer waits for it: cut off once it has taken nothing for the
     * grace, otherwise looked at again then. Also while a snapshot is still going out, or a client that stops reading
     * in the middle of one would hold its stream (and the events piling up behind it) forever.
     */
    private void checkStalled(long head) {
        long backlog = head - Math.max(cursor - 1, liveFrom);
        if (backlog <= bufferSize) {
            return;
        }
        long stalledFor = System.nanoTime() - lastProgressNanos;
        if (stalledFor >= stallGraceNanos) {
            finish(StreamEnd.OVERFLOW, "the subscriber stopped reading: more than " + bufferSize + " events waited "
                    + "for it ([monitor] subscriberBufferSize) and it took none for "
                    + TimeUnit.NANOSECONDS.toMillis(stalledFor) + " ms");
        } else {
            recheckAfter(stallGraceNanos - stalledFor);
        }
    }

    /** Puts the filter changes due before the event at the cursor in force and sends the outbox. */
    private boolean applyChangesAndFlush(long head) {
        Change change;
        while ((change = changes.peek()) != null && change.effectiveAfter() < cursor) {
            changes.poll();
            filter = change.filter();
            outbox.addAll(change.items());
        }
        while (!outbox.isEmpty()) {
            if (!sink.isReady()) {
                checkStalled(head);
                return false;
            }
            StreamItem item = outbox.poll();
            sink.send(item);
            lastProgressNanos = System.nanoTime();
            if (item instanceof StreamItem.SnapshotEnd) {
                unsentSnapshots.decrementAndGet();
            }
        }
        return true;
    }

    private record Change(long effectiveAfter, SubscriptionFilter filter, List<StreamItem> items) {
    }

    /** Looks again once the grace is over, even if no new event comes to trigger a drain. */
    private void recheckAfter(long nanos) {
        if (recheckScheduled.compareAndSet(false, true)) {
            try {
                timer.schedule(() -> {
                    recheckScheduled.set(false);
                    signal();
                }, nanos + 1_000_000, TimeUnit.NANOSECONDS);
            } catch (RuntimeException stopping) {
                recheckScheduled.set(false);
            }
        }
    }

    private record EndRequest(StreamEnd reason, String message) {
    }

    /** Ends the stream with what happened ({@code message}) and how to go on from here. */
    private void finish(StreamEnd reason, String message) {
        endReason = reason;
        ended = true;
        lastSentAtEnd = snapshotIncomplete() ? 0 : lastSent;
        try {
            if (reason != StreamEnd.CANCELLED) {
                if (snapshotIncomplete()) {
                    // Resuming after this point would skip the domains not sent yet (of the initial snapshot, or of
                    // domains added by a modification, whether its change is in force yet or not): no resume point.
                    sink.end(reason, message + "; this stream's snapshot was not completely sent, so there is no"
                            + " resume point: subscribe again with include_snapshot", 0);
                } else {
                    long resumeAfter = Math.max(lastSent, cursor - 1);
                    sink.end(reason, reason == StreamEnd.UNSUBSCRIBED ? message : message + "; subscribe again with"
                            + " resume_after_sequence = " + resumeAfter + " (or the last sequence received)",
                            resumeAfter);
                }
            }
        } catch (RuntimeException failure) {
            LOG.debug("Ending event subscription {} failed", id, failure);
        } finally {
            finished.countDown();
            onEnded.accept(this);
        }
    }

    /**
     * Waits until the stream has ended (a drain under way first sends what is in its outbox, e.g. a snapshot, then
     * stops at the next event).
     *
     * @return false when it had not ended within {@code wait}
     */
    boolean awaitFinished(Duration wait) throws InterruptedException {
        return finished.await(wait.toNanos(), TimeUnit.NANOSECONDS);
    }

    /**
     * The last sequence handed to the stream, or 0 when a snapshot was not completely sent (no resume point): as
     * fixed when the stream ended, or as of now while it has not.
     */
    long lastSentForUnsubscribe() {
        return finished.getCount() == 0 ? lastSentAtEnd : snapshotIncomplete() ? 0 : lastSent;
    }

    private static int snapshotsIn(List<StreamItem> items) {
        return (int) items.stream().filter(StreamItem.SnapshotEnd.class::isInstance).count();
    }
}
