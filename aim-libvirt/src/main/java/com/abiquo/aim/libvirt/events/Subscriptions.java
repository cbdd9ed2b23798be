package com.abiquo.aim.libvirt.events;

import static java.util.Objects.requireNonNull;

import com.abiquo.aim.core.error.AimException;
import com.abiquo.aim.core.error.CoreErrorReason;
import com.abiquo.aim.libvirt.LibvirtErrorReason;
import com.abiquo.aim.libvirt.events.EventsMonitor.ModifyResult;
import com.abiquo.aim.libvirt.events.EventsMonitor.SubscribeSpec;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.Logger;

/**
 * The open subscriptions and the pool their streams drain on. Opening and modifying one reads the
 * {@link DomainRecord} under its lock, so a snapshot or resume point and the first live event meet without gap or
 * overlap; sending happens only on the pool ({@link Subscriber#drain()}), never on the dispatcher or the libvirt
 * callback thread.
 */
final class Subscriptions {
    private static final Logger LOG = LogManager.getLogger(Subscriptions.class);
    /** Snapshots of added domains a stream may have waiting before ModifySubscription refuses another one. */
    static final int MAX_UNSENT_SNAPSHOTS = 16;
    /** How long Unsubscribe waits for its stream to end: a drain stops at the next event, within milliseconds. */
    private static final Duration UNSUBSCRIBE_WAIT = Duration.ofSeconds(5);

    private final DomainRecord record;
    private final int bufferSize;
    private final EventsMetrics metrics;
    private final ScheduledExecutorService timer;
    private final Duration stallGrace;
    private final int drainThreads;
    private final ExecutorService drainPool;
    private final Map<String, Subscriber> open = new ConcurrentHashMap<>();
    private boolean closed; // guarded by this

    Subscriptions(DomainRecord record, int bufferSize, EventsMetrics metrics, ScheduledExecutorService timer,
                  Duration stallGrace, int drainThreads) {
        this.record = requireNonNull(record, "record is null");
        this.bufferSize = bufferSize;
        this.metrics = requireNonNull(metrics, "metrics is null");
        this.timer = requireNonNull(timer, "timer is null");
        this.stallGrace = requireNonNull(stallGrace, "stallGrace is null");
        this.drainThreads = drainThreads;
        AtomicInteger threadNumber = new AtomicInteger();
        this.drainPool = new ThreadPoolExecutor(drainThreads, drainThreads, 0, TimeUnit.SECONDS,
                new LinkedBlockingQueue<>(), runnable -> {
                    Thread thread = new Thread(runnable, "aim-events-send-" + threadNumber.incrementAndGet());
                    thread.setDaemon(true);
                    return thread;
                });
    }

    int count() {
        return open.size();
    }

    /** Opens a subscription: Started, a snapshot if due, then the journal from its resume point or from now. */
    Subscriber open(SubscribeSpec spec, SubscriberSink sink, boolean sourceConnected) throws AimException {
        Subscriber subscriber;
        synchronized (this) {
            if (closed) {
                throw AimException.unavailable(CoreErrorReason.AGENT_STOPPING, "the agent is shutting down");
            }
            String id = UUID.randomUUID().toString();
            subscriber = record.read(view -> start(id, view, spec, sink, sourceConnected));
            open.put(id, subscriber);
        }
        LOG.debug("Event subscription {} opened: {}", subscriber.id(), spec);
        subscriber.signal();
        return subscriber;
    }

    private Subscriber start(String id, DomainRecord.View view, SubscribeSpec spec, SubscriberSink sink,
                             boolean sourceConnected) {
        EventJournal journal = view.journal();
        long head = journal.lastSequence();
        long resumeAfter = spec.resumeAfterSequence();
        boolean resumed = resumeAfter > 0 && journal.canResumeAfter(resumeAfter);
        List<StreamItem> items = new ArrayList<>();
        items.add(new StreamItem.Started(id, head, journal.oldestSequence(), resumed, sourceConnected));
        if (!resumed && resumeAfter > 0) {
            items.addAll(SnapshotItems.of(view.domains(), spec.filter(), StreamItem.SnapshotReason.RESUME_POINT_LOST,
                    head));
        } else if (!resumed && spec.includeSnapshot()) {
            items.addAll(SnapshotItems.of(view.domains(), spec.filter(), StreamItem.SnapshotReason.REQUESTED, head));
        }
        long cursor = resumed ? resumeAfter + 1 : head + 1;
        return new Subscriber(id, sink, journal, bufferSize, spec.filter(), cursor, head, items, drainPool, timer,
                stallGrace, ended -> {
                    open.remove(ended.id(), ended);
                    metrics.ended(ended.endReason());
                });
    }

    /** Adds and removes domains of an open subscription; see events.proto ModifySubscription. */
    ModifyResult modify(String subscriptionId, Collection<DomainKey> add, Collection<DomainKey> remove,
                        boolean includeSnapshot) throws AimException {
        Subscriber subscriber = find(subscriptionId);
        try {
            // Under the record's lock: concurrent modifications apply one after the other, each at its own point.
            return record.read(view -> modify(view, subscriber, add, remove, includeSnapshot));
        } catch (Refused refused) {
            throw refused.reason;
        }
    }

    private static ModifyResult modify(DomainRecord.View view, Subscriber subscriber, Collection<DomainKey> add,
                                       Collection<DomainKey> remove, boolean includeSnapshot) {
        String subscriptionId = subscriber.id();
        SubscriptionFilter current = subscriber.requestedFilter();
        if (current.allDomainsSelected() && !remove.isEmpty()) {
            throw new Refused(AimException.failedPrecondition(LibvirtErrorReason.SUBSCRIPTION_WATCHES_ALL_DOMAINS, "subscription "
                    + subscriptionId + " watches all domains: single domains cannot be removed from it "
                    + "(open a subscription for the domains you want instead)"));
        }
        long head = view.journal().lastSequence();
        SubscriptionFilter updated = current.modified(add, remove, head);
        if (updated.domains().size() > SubscriptionFilter.MAX_DOMAINS) {
            throw new Refused(AimException.failedPrecondition(LibvirtErrorReason.SUBSCRIPTION_DOMAIN_LIMIT, "subscription "
                    + subscriptionId + " would watch " + updated.domains().size() + " domains; at most "
                    + SubscriptionFilter.MAX_DOMAINS + " (remove some, or subscribe to all domains)"));
        }
        // Each queued snapshot waits in the stream's memory until it is sent: a client that asks for them but does
        // not read could make them grow without limit (the stall check counts only journal events).
        boolean snapshot = includeSnapshot && !add.isEmpty() && !current.allDomainsSelected();
        if (snapshot && subscriber.unsentSnapshots() >= MAX_UNSENT_SNAPSHOTS) {
            throw new Refused(AimException.failedPrecondition(LibvirtErrorReason.SNAPSHOTS_NOT_READ, "subscription " + subscriptionId
                    + " has " + subscriber.unsentSnapshots() + " snapshots its client has not read yet; read the"
                    + " stream, or modify it without include_snapshot"));
        }
        List<StreamItem> items = snapshot ? SnapshotItems.of(view.domains(), SubscriptionFilter.domains(add,
                List.of()), StreamItem.SnapshotReason.REQUESTED, head) : List.of();
        subscriber.modify(updated, items, head);
        return new ModifyResult(updated, head);
    }

    /** Carries a refusal out of {@link DomainRecord#read}. */
    private static final class Refused extends RuntimeException {
        private final AimException reason;

        Refused(AimException reason) {
            super(reason.getMessage(), null, false, false);
            this.reason = reason;
        }
    }

    /** Ends a subscription and waits for its stream's end. @return the last sequence sent, 0 without a resume point */
    long unsubscribe(String subscriptionId) throws AimException {
        Subscriber subscriber = find(subscriptionId);
        subscriber.end(StreamEnd.UNSUBSCRIBED, "unsubscribed");
        try {
            // A drain under way may still hand out the rest of its turn: the answer is what the stream got in the end.
            if (!subscriber.awaitFinished(UNSUBSCRIBE_WAIT)) {
                LOG.warn("Event subscription {} did not end within {} s of its Unsubscribe; its last sent sequence may"
                        + " still grow", subscriptionId, UNSUBSCRIBE_WAIT.toSeconds());
            }
        } catch (InterruptedException interrupted) {
            Thread.currentThread().interrupt();
        }
        return subscriber.lastSentForUnsubscribe();
    }

    private Subscriber find(String subscriptionId) throws AimException {
        Subscriber subscriber = subscriptionId == null ? null : open.get(subscriptionId);
        if (subscriber == null || subscriber.ended()) {
            throw AimException.notFound(LibvirtErrorReason.SUBSCRIPTION_NOT_FOUND, "no open event subscription with id \""
                    + subscriptionId + "\" (it ended, or never existed)");
        }
        return subscriber;
    }

    /**
     * New events: every subscriber not already draining drains on the pool, in one task per pool thread rather than
     * one per subscriber (with 1,000 subscribers, a task and a wake-up per subscriber and event would make the
     * hand-off the bottleneck).
     */
    void signalAll() {
        List<Subscriber> claimed = new ArrayList<>();
        for (Subscriber subscriber : open.values()) {
            if (subscriber.claim()) {
                claimed.add(subscriber);
            }
        }
        int tasks = Math.min(drainThreads, claimed.size());
        for (int task = 0; task < tasks; task++) {
            List<Subscriber> share = claimed.subList(task * claimed.size() / tasks,
                    (task + 1) * claimed.size() / tasks);
            try {
                drainPool.execute(() -> share.forEach(Subscriber::drain));
            } catch (RuntimeException rejected) {
                // Stopping: closeAll() ends the streams; give the claims back so none is left owned by nobody.
                share.forEach(Subscriber::release);
            }
        }
    }

    /** Refuses new subscriptions, ends every stream with {@code reason} and waits (a few seconds at most). */
    void closeAll(StreamEnd reason, String message) {
        synchronized (this) {
            closed = true;
        }
        open.values().forEach(subscriber -> subscriber.end(reason, message));
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(3);
        while (!open.isEmpty() && System.nanoTime() < deadline) {
            try {
                Thread.sleep(10); // bounded wait for the pool to end the streams; nothing to be woken by
            } catch (InterruptedException interrupted) {
                Thread.currentThread().interrupt();
                return;
            }
        }
    }

    void shutdownPool() {
        drainPool.shutdown();
        try {
            drainPool.awaitTermination(2, TimeUnit.SECONDS);
        } catch (InterruptedException interrupted) {
            Thread.currentThread().interrupt();
        }
    }
}
