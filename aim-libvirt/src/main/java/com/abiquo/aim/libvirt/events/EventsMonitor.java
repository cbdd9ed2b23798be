package com.abiquo.aim.libvirt.events;

import static java.util.Objects.requireNonNull;

import com.abiquo.aim.core.error.AimException;
import com.abiquo.aim.core.error.CoreErrorReason;
import com.abiquo.aim.libvirt.LibvirtErrorReason;
import com.abiquo.aim.libvirt.connection.DomainEventSource.DomainLifecycleEvent;
import com.abiquo.aim.libvirt.connection.DomainEventSource.DomainStateSnapshot;
import com.abiquo.aim.libvirt.connection.DomainEventSource;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.LongSupplier;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.Logger;

/**
 * The EventsMonitor's core: it listens to the libvirt connection, turns each lifecycle event into an AIM event in the
 * journal, keeps the last known state of every domain, serves subscriptions (snapshot, resume, live) and, after a
 * reconnection, appends the transitions that were missed as resync events.
 *
 * <p>Threads: in the steady state the libvirt callback thread maps, numbers and journals the event itself, under one
 * lock that subscription start also takes (so a new subscriber's snapshot or resume point and its first live event
 * meet without gap or overlap). Then the sends start, in one of two ways:
 * <ul>
 *   <li>an event after a quiet moment (the usual case: VM lifecycle events are rare) is sent by the callback thread
 *   itself to the first {@value #INLINE_SUBSCRIBERS} subscribers, the others go to a small drain pool. Every
 *   hand-off to another thread costs a wake-up (0.15-0.2 ms on an idle nested VM), so one event to a few
 *   subscribers crosses no thread of ours before Netty's;</li>
 *   <li>during a burst, the callback only asks the dispatcher thread for a send round; rounds coalesce, so each
 *   drain sends many events at once and the cost per delivery stays low.</li>
 * </ul>
 * Sends never block: a stream that is not ready is left behind at its journal position (see {@link Subscriber}), so
 * a slow subscriber never holds up the callback.
 *
 * <p>While a domain listing is pending or under way (start-up, after a reconnection), live events go to the
 * dispatcher thread instead, which orders them around the listing and the resync transitions; the dispatcher also
 * handles disconnections.
 */
public final class EventsMonitor implements DomainEventSource.Listener {
    private static final Logger LOG = LogManager.getLogger(EventsMonitor.class);
    private static final int BATCH = 4096;
    /**
     * Subscribers the thread that journaled an event sends to itself; more go to the drain pool. 128 rather than 64:
     * at 100 subscribers, waking pool threads for the last 36 doubled the hand-off (bench-events, callback -> handed
     * p50 0.49-0.55 ms with 64, 0.29-0.38 ms sending all 100 from the callback thread); 128 sends take ~0.4 ms.
     */
    static final int INLINE_SUBSCRIBERS = 128;
    /** An event closer than this to the previous one is part of a burst: its sends are batched by the dispatcher. */
    private static final long BURST_GAP_NANOS = TimeUnit.MILLISECONDS.toNanos(1);
    private static final long SYNC_RETRY_SECONDS = 2;
    /** Snapshots of added domains a stream may have waiting before ModifySubscription refuses another one. */
    static final int MAX_UNSENT_SNAPSHOTS = 16;
    /** How long Unsubscribe waits for its stream to end: a drain stops at the next event, within milliseconds. */
    private static final Duration UNSUBSCRIBE_WAIT = Duration.ofSeconds(5);

    /** Told when the libvirt connection comes and goes (health). */
    public interface ConnectionObserver {
        void connected();

        void disconnected(String why);
    }

    /** What a new subscriber asks for. */
    public record SubscribeSpec(SubscriptionFilter filter, boolean includeSnapshot, long resumeAfterSequence) {
        public SubscribeSpec {
            requireNonNull(filter, "filter is null");
        }
    }

    public record ModifyResult(SubscriptionFilter filter, long effectiveAfterSequence) {
    }

    private record Sync() {
    }

    private record Disconnect(String why) {
    }

    private record Stop() {
    }

    /** Journaled events wait for sends (a burst). */
    private record SendRound() {
    }

    private final MonitorConfig config;
    private final ConnectionObserver observer;
    private final LongSupplier nanoClock;
    private final LongSupplier wallClock;
    private final EventJournal journal;
    private final BlockingQueue<Object> inbox = new LinkedBlockingQueue<>();
    private final ArrayDeque<Object> backlog = new ArrayDeque<>();
    private final ReentrantLock lock = new ReentrantLock();
    private final KnownDomains known = new KnownDomains(); // guarded by the lock
    private final Map<String, Subscriber> subscribers = new ConcurrentHashMap<>();
    private final List<Runnable> appendWatchers = new CopyOnWriteArrayList<>();
    private final ExecutorService drainPool;
    private final int drainThreads;
    private final ScheduledExecutorService timer;
    private final Duration stallGrace;
    private final Thread dispatcher;

    // Resync duplicate suppression: a live event that was already counted by the resync (guarded by the lock).
    private final ResyncMarkers resyncMarkers = new ResyncMarkers();
    private final EventsMetrics metrics = new EventsMetrics(this);
    // Guarded by the lock: while true, live events queue for the dispatcher (a listing is pending or under way, or
    // the queue still holds events that must keep their order); while false, the callback journals them itself.
    private boolean deferLive = true;
    private long lastLiveNanos = Long.MIN_VALUE / 2; // guarded by the lock
    private final AtomicBoolean sendRoundQueued = new AtomicBoolean();

    private volatile DomainEventSource source;
    private volatile boolean baselined;
    private volatile boolean connected;
    private volatile boolean stopping;

    /** How long a subscriber over its buffer may take nothing before it is cut off. */
    public static final Duration DEFAULT_STALL_GRACE = Duration.ofSeconds(1);

    public EventsMonitor(MonitorConfig config, ConnectionObserver observer) {
        this(config, observer, System::nanoTime, System::currentTimeMillis, Math.max(2,
                Runtime.getRuntime().availableProcessors()), DEFAULT_STALL_GRACE);
    }

    /**
     * @param wallClock also fixes the first sequence number (milliseconds x 1000), so a new run of the agent numbers
     *     above the previous one and an old resume point is recognised as gone
     */
    public EventsMonitor(MonitorConfig config, ConnectionObserver observer, LongSupplier nanoClock,
                         LongSupplier wallClock, int drainThreads, Duration stallGrace) {
        this.config = requireNonNull(config, "config is null");
        this.observer = requireNonNull(observer, "observer is null");
        this.nanoClock = requireNonNull(nanoClock, "nanoClock is null");
        this.wallClock = requireNonNull(wallClock, "wallClock is null");
        this.stallGrace = requireNonNull(stallGrace, "stallGrace is null");
        this.journal = new EventJournal(config.journalSize(), Math.max(1, wallClock.getAsLong() * 1000));
        this.timer = Executors.newSingleThreadScheduledExecutor(runnable -> {
            Thread thread = new Thread(runnable, "aim-events-timer");
            thread.setDaemon(true);
            return thread;
        });
        this.drainThreads = drainThreads;
        AtomicInteger threadNumber = new AtomicInteger();
        this.drainPool = new ThreadPoolExecutor(drainThreads, drainThreads, 0, TimeUnit.SECONDS,
                new LinkedBlockingQueue<>(), runnable -> {
                    Thread thread = new Thread(runnable, "aim-events-send-" + threadNumber.incrementAndGet());
                    thread.setDaemon(true);
                    return thread;
                });
        this.dispatcher = new Thread(this::dispatchLoop, "aim-events-dispatcher");
        this.dispatcher.setDaemon(true);
        this.dispatcher.start();
    }

    /** Starts listening to the connection and reads every domain's state as the baseline. */
    public void attach(DomainEventSource eventSource) {
        requireNonNull(eventSource, "eventSource is null");
        if (source != null) {
            throw new IllegalStateException("the monitor already listens to a source");
        }
        source = eventSource;
        eventSource.addListener(this);
        requestSync();
    }

    public boolean attached() {
        return source != null;
    }

    /** Whether the libvirt connection is up (as far as the monitor knows). */
    public boolean connected() {
        return connected;
    }

    public EventJournal journal() {
        return journal;
    }

    /** This monitor's families for /metrics. */
    public EventsMetrics metrics() {
        return metrics;
    }

    public int subscriberCount() {
        return subscribers.size();
    }

    /**
     * Runs {@code watcher} after events are journaled, on the thread that starts their sends. Readers that follow the
     * journal on a thread of their own (the event bus) wake on it; it must return at once (unpark a thread).
     */
    public void watchAppends(Runnable watcher) {
        appendWatchers.add(requireNonNull(watcher, "watcher is null"));
    }

    /** The known domains with the journal's last sequence, read together; null before the first domain listing. */
    public KnownAsOf knownDomains() {
        lock.lock();
        try {
            return baselined ? new KnownAsOf(journal.lastSequence(), List.copyOf(known.all())) : null;
        } finally {
            lock.unlock();
        }
    }

    /** Every known domain as it is after {@code asOfSequence}. */
    public record KnownAsOf(long asOfSequence, List<ResyncDiff.Known> domains) {
    }

    // ---- libvirt callback thread: journal and start the sends, or queue while a listing is due ----

    @Override
    public void onLifecycleEvent(DomainLifecycleEvent event) {
        boolean appended;
        boolean burst;
        lock.lock();
        try {
            if (deferLive) {
                inbox.add(event);
                return;
            }
            appended = handleLive(event);
            burst = event.receivedNanos() - lastLiveNanos < BURST_GAP_NANOS;
            lastLiveNanos = event.receivedNanos();
        } finally {
            lock.unlock();
        }
        if (!appended) {
            return;
        }
        if (burst || sendRoundQueued.get()) {
            queueSendRound();
        } else {
            signalAll(INLINE_SUBSCRIBERS);
        }
    }

    private void queueSendRound() {
        if (sendRoundQueued.compareAndSet(false, true)) {
            inbox.add(new SendRound());
        }
    }

    @Override
    public void onConnected(boolean reconnected) {
        requestSync();
    }

    /** Queues a domain listing; live events wait behind it so the resync can order them. */
    private void requestSync() {
        lock.lock();
        try {
            deferLive = true;
            inbox.add(new Sync());
        } finally {
            lock.unlock();
        }
    }

    @Override
    public void onDisconnected(String why) {
        lock.lock();
        try {
            known.connectionLost();
        } finally {
            lock.unlock();
        }
        inbox.add(new Disconnect(why == null ? "libvirt connection lost" : why));
    }

    // ---- subscriptions ----

    public Subscriber subscribe(SubscribeSpec spec, SubscriberSink sink) throws AimException {
        requireNonNull(spec, "spec is null");
        requireNonNull(sink, "sink is null");
        checkServing();
        Subscriber subscriber;
        lock.lock();
        try {
            if (stopping) {
                throw AimException.unavailable(CoreErrorReason.AGENT_STOPPING, "the agent is shutting down");
            }
            long head = journal.lastSequence();
            long resumeAfter = spec.resumeAfterSequence();
            boolean resumed = resumeAfter > 0 && journal.canResumeAfter(resumeAfter);
            String id = UUID.randomUUID().toString();
            List<StreamItem> items = new ArrayList<>();
            items.add(new StreamItem.Started(id, journal.lastSequence(), journal.oldestSequence(), resumed,
                    connected));
            long cursor;
            if (resumed) {
                cursor = resumeAfter + 1;
            } else {
                cursor = head + 1;
                if (resumeAfter > 0) {
                    items.addAll(SnapshotItems.of(known.all(), spec.filter(),
                            StreamItem.SnapshotReason.RESUME_POINT_LOST, head));
                } else if (spec.includeSnapshot()) {
                    items.addAll(SnapshotItems.of(known.all(), spec.filter(), StreamItem.SnapshotReason.REQUESTED,
                            head));
                }
            }
            subscriber = new Subscriber(id, sink, journal, config.subscriberBufferSize(), spec.filter(), cursor,
                    head, items, drainPool, timer, stallGrace, ended -> {
                        subscribers.remove(ended.id(), ended);
                        metrics.ended(ended.endReason());
                    });
            subscribers.put(id, subscriber);
        } finally {
            lock.unlock();
        }
        LOG.debug("Event subscription {} opened: {}", subscriber.id(), spec);
        subscriber.signal();
        return subscriber;
    }

    /** Adds and removes domains of an open subscription; see events.proto ModifySubscription. */
    public ModifyResult modify(String subscriptionId, Collection<DomainKey> add, Collection<DomainKey> remove,
                               boolean includeSnapshot) throws AimException {
        Subscriber subscriber = find(subscriptionId);
        lock.lock();
        try {
            SubscriptionFilter current = subscriber.requestedFilter();
            if (current.allDomainsSelected() && !remove.isEmpty()) {
                throw AimException.failedPrecondition(LibvirtErrorReason.SUBSCRIPTION_WATCHES_ALL_DOMAINS, "subscription "
                        + subscriptionId + " watches all domains: single domains cannot be removed from it "
                        + "(open a subscription for the domains you want instead)");
            }
            long head = journal.lastSequence();
            SubscriptionFilter updated = current.modified(add, remove, head);
            if (updated.domains().size() > SubscriptionFilter.MAX_DOMAINS) {
                throw AimException.failedPrecondition(LibvirtErrorReason.SUBSCRIPTION_DOMAIN_LIMIT, "subscription " + subscriptionId
                        + " would watch " + updated.domains().size() + " domains; at most "
                        + SubscriptionFilter.MAX_DOMAINS + " (remove some, or subscribe to all domains)");
            }
            // Each queued snapshot waits in the stream's memory until it is sent: a client that asks for them but
            // does not read could make them grow without limit (the stall check counts only journal events).
            boolean snapshot = includeSnapshot && !add.isEmpty() && !current.allDomainsSelected();
            if (snapshot && subscriber.unsentSnapshots() >= MAX_UNSENT_SNAPSHOTS) {
                throw AimException.failedPrecondition(LibvirtErrorReason.SNAPSHOTS_NOT_READ, "subscription " + subscriptionId + " has "
                        + subscriber.unsentSnapshots() + " snapshots its client has not read yet; read the stream, or"
                        + " modify it without include_snapshot");
            }
            List<StreamItem> items = new ArrayList<>();
            if (snapshot) {
                SubscriptionFilter addedOnly = SubscriptionFilter.domains(add, List.of());
                items.addAll(SnapshotItems.of(known.all(), addedOnly, StreamItem.SnapshotReason.REQUESTED, head));
            }
            subscriber.modify(updated, items, head);
            return new ModifyResult(updated, head);
        } finally {
            lock.unlock();
        }
    }

    /**
     * Ends a subscription; its stream completes normally. @return the last sequence sent to it, or 0 while a snapshot
     * was not completely sent (no resume point, as when such a stream is cut off)
     */
    public long unsubscribe(String subscriptionId) throws AimException {
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

    /**
     * Journal read for ListEvents.
     *
     * @throws AimException OUT_OF_RANGE when events after {@code afterSequence} were already dropped
     */
    public EventJournal.Page listEvents(SubscriptionFilter filter, long afterSequence, int maxEvents)
            throws AimException {
        if (afterSequence > 0) {
            return journal.read(afterSequence, maxEvents, filter::matches);
        }
        // 0 is "from the oldest": an oldest event overwritten while it is read only moves the start, so read again.
        for (int attempt = 1; ; attempt++) {
            try {
                return journal.read(journal.oldestSequence() - 1, maxEvents, filter::matches);
            } catch (AimException overtaken) {
                if (attempt == 3) {
                    throw overtaken;
                }
            }
        }
    }

    /** Ends every stream with {@link StreamEnd#SHUTDOWN} and stops the threads; returns within a few seconds. */
    public void stop() {
        lock.lock();
        try {
            // Under the lock: a subscription that is being opened either sees it or is ended below.
            stopping = true;
        } finally {
            lock.unlock();
        }
        for (Subscriber subscriber : subscribers.values()) {
            subscriber.end(StreamEnd.SHUTDOWN, "the agent is shutting down");
        }
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(3);
        while (!subscribers.isEmpty() && System.nanoTime() < deadline) {
            sleepMillis(10);
        }
        inbox.add(new Stop());
        DomainEventSource attachedSource = source;
        if (attachedSource != null) {
            attachedSource.removeListener(this);
        }
        try {
            dispatcher.join(2000);
        } catch (InterruptedException interrupted) {
            Thread.currentThread().interrupt();
        }
        timer.shutdownNow();
        drainPool.shutdown();
        try {
            drainPool.awaitTermination(2, TimeUnit.SECONDS);
        } catch (InterruptedException interrupted) {
            Thread.currentThread().interrupt();
        }
    }

    private void checkServing() throws AimException {
        if (stopping) {
            throw AimException.unavailable(CoreErrorReason.AGENT_STOPPING, "the agent is shutting down");
        }
        if (source == null) {
            throw AimException.unavailable(LibvirtErrorReason.EVENT_SOURCE_MISSING, "the libvirt connection is not available in this "
                    + "agent (the libvirt module did not start), so there are no events to subscribe to");
        }
        if (!baselined) {
            throw AimException.unavailable(LibvirtErrorReason.LIBVIRT_NOT_CONNECTED, "the agent has not reached libvirtd since it "
                    + "started, so it knows no domain state yet; retry when health reports SERVING");
        }
    }

    private Subscriber find(String subscriptionId) throws AimException {
        Subscriber subscriber = subscriptionId == null ? null : subscribers.get(subscriptionId);
        if (subscriber == null || subscriber.ended()) {
            throw AimException.notFound(LibvirtErrorReason.SUBSCRIPTION_NOT_FOUND, "no open event subscription with id \""
                    + subscriptionId + "\" (it ended, or never existed)");
        }
        return subscriber;
    }

    // ---- dispatcher thread ----

    private void dispatchLoop() {
        try {
            while (true) {
                if (backlog.isEmpty()) {
                    backlog.add(inbox.take());
                    inbox.drainTo(backlog, BATCH);
                }
                Object next = backlog.peek();
                if (next instanceof Stop) {
                    return;
                }
                if (next instanceof SendRound) {
                    backlog.poll();
                    // Cleared before the round: an event journaled after it is either seen by it or asks again.
                    sendRoundQueued.set(false);
                    signalAll(0);
                    continue;
                }
                boolean appended;
                if (next instanceof Sync) {
                    backlog.poll();
                    appended = sync();
                } else {
                    lock.lock();
                    try {
                        appended = applyQueued();
                    } finally {
                        lock.unlock();
                    }
                }
                if (appended) {
                    signalAll(0);
                }
            }
        } catch (InterruptedException interrupted) {
            Thread.currentThread().interrupt();
        } catch (RuntimeException bug) {
            LOG.error("The events dispatcher failed; no more events will be delivered", bug);
            observer.disconnected("events dispatcher failed: " + bug);
        }
    }

    /**
     * Starts the sends after new events. This thread sends to up to {@code inlineLimit} of the subscribers that need
     * it (0: an equal share with each pool thread); the others go to the drain pool first (so the pool threads wake
     * while this one sends), in one task per pool thread, not one task each: with 1,000 subscribers, a task (and a
     * thread wake-up) per subscriber and event would make the hand-off the bottleneck. A subscriber already being
     * drained elsewhere is not claimed again.
     */
    private void signalAll(int inlineLimit) {
        appendWatchers.forEach(Runnable::run);
        List<Subscriber> claimed = new ArrayList<>();
        for (Subscriber subscriber : subscribers.values()) {
            if (subscriber.claim()) {
                claimed.add(subscriber);
            }
        }
        int equalShare = (claimed.size() + drainThreads) / (drainThreads + 1);
        int inline = Math.min(claimed.size(), inlineLimit > 0 ? inlineLimit : equalShare);
        List<Subscriber> pooled = claimed.subList(inline, claimed.size());
        int tasks = Math.min(drainThreads, pooled.size());
        for (int task = 0; task < tasks; task++) {
            List<Subscriber> share = pooled.subList(task * pooled.size() / tasks,
                    (task + 1) * pooled.size() / tasks);
            try {
                drainPool.execute(() -> share.forEach(Subscriber::drain));
            } catch (RuntimeException rejected) {
                // Stopping: stop() ends the streams; drain the rest here so no claim is left owned by nobody.
                share.forEach(Subscriber::drain);
            }
        }
        // From the libvirt callback (a limit given), a subscriber replaying a long backlog goes on in the pool.
        claimed.subList(0, inline).forEach(inlineLimit > 0 ? Subscriber::drainBriefly : Subscriber::drain);
    }

    /**
     * Applies queued items in order up to the next listing, and lets the callback journal live events itself again
     * once nothing is left to order. Caller holds the lock. @return whether an event was appended
     */
    private boolean applyQueued() {
        inbox.drainTo(backlog);
        boolean appended = false;
        while (!backlog.isEmpty() && !(backlog.peek() instanceof Sync) && !(backlog.peek() instanceof Stop)) {
            appended |= handle(backlog.poll());
        }
        if (backlog.isEmpty()) {
            deferLive = false;
        }
        return appended;
    }

    /** Caller holds the lock. @return whether events wait to be sent */
    private boolean handle(Object item) {
        if (item instanceof DomainLifecycleEvent event) {
            return handleLive(event);
        }
        if (item instanceof SendRound) {
            // Queued behind a disconnection or a listing: the caller's send round covers it. Clearing the flag
            // here matters: left set, no later event would ever queue a round again.
            sendRoundQueued.set(false);
            return true;
        }
        if (item instanceof Disconnect disconnect) {
            if (connected || !baselined) {
                LOG.warn("libvirt connection lost ({}); streams stay open, missed transitions will be resynced",
                        disconnect.why());
            }
            connected = false;
            observer.disconnected(disconnect.why());
        }
        return false;
    }

    private boolean handleLive(DomainLifecycleEvent raw) {
        String uuid = raw.uuid().toLowerCase(java.util.Locale.ROOT);
        ResyncDiff.Known before = known.get(uuid);
        EventKind kind = LifecycleMapping.kind(raw.eventType(), raw.detail());
        VmState state = LifecycleMapping.stateAfter(raw.eventType(), raw.state(),
                before == null ? null : before.state());
        // Only an event that would change nothing can be the resync's: a domain started and stopped again while the
        // listing ran has its second stop match the resync's mark, but it is news (the start came in between).
        boolean changesNothing = before == null || before.state() == state;
        if (changesNothing && resyncMarkers.alreadyReported(uuid, kind, raw.receivedNanos())) {
            // The resync already reported this transition: libvirt told us while we were listing.
            LOG.debug("Live {} of {} already reported by the resync", kind, raw.name());
            return false;
        }
        state = known.followDefinition(uuid, raw.eventType(), before, state);
        append(uuid, raw.name(), kind, raw.eventType(), raw.detail(),
                LifecycleMapping.describe(raw.eventType(), raw.detail()), state, false, raw.receivedNanos(),
                raw.epochMillis());
        return true;
    }

    private void append(String uuid, String name, EventKind kind, int type, int detail, String text, VmState state,
                        boolean resync, long receivedNanos, long epochMillis) {
        journal.append(new MonitorEvent(journal.nextSequence(), epochMillis, receivedNanos, uuid, name, kind, type,
                detail, text, state, resync));
        metrics.appended(kind, resync);
        known.record(uuid, name, state);
    }

    /** Lists the domains and compares; first time: the baseline. @return whether events were appended */
    private boolean sync() {
        DomainEventSource eventSource = source;
        long listingStart = nanoClock.getAsLong();
        List<DomainStateSnapshot> listing;
        try {
            listing = eventSource.domainStates();
        } catch (AimException | RuntimeException failure) {
            boolean appended;
            lock.lock();
            try {
                connected = false;
                // Until the retry, events are journaled as they come, as before the listing was asked for.
                appended = applyQueued();
            } finally {
                lock.unlock();
            }
            observer.disconnected("cannot list domains: " + failure.getMessage());
            // The connection calls onConnected when it comes back; a listing that failed on a live connection
            // would otherwise never be retried.
            if (!stopping) {
                try {
                    timer.schedule(this::requestSync, SYNC_RETRY_SECONDS, TimeUnit.SECONDS);
                } catch (RuntimeException stopped) {
                    LOG.debug("not retrying the domain listing: stopping");
                }
            }
            return appended;
        }
        long listingEnd = nanoClock.getAsLong();
        boolean appended = false;
        boolean stillConnected;
        lock.lock();
        try {
            inbox.drainTo(backlog);
            // Events libvirt reported before the listing began are already in it: apply them first, as live events.
            List<Object> later = new ArrayList<>(backlog.size());
            for (Object item : backlog) {
                if (item instanceof DomainLifecycleEvent event && event.receivedNanos() < listingStart) {
                    appended |= handleLive(event);
                } else {
                    later.add(item);
                }
            }
            backlog.clear();
            backlog.addAll(later);
            Map<String, ResyncDiff.Known> now = known.takeListing(listing);
            resyncMarkers.clear();
            if (!baselined) {
                known.baseline(now);
                baselined = true;
                LOG.info("Events monitor knows {} domains", now.size());
            } else {
                List<ResyncDiff.Transition> missed = known.missedTransitions(now);
                long wall = wallClock.getAsLong();
                long nanos = nanoClock.getAsLong();
                for (ResyncDiff.Transition transition : missed) {
                    append(transition.uuid(), transition.name(), transition.kind(), -1, -1, "RESYNC",
                            transition.state(), true, nanos, wall);
                    resyncMarkers.mark(transition.uuid(), transition.kind());
                    appended = true;
                }
                // Names may have changed without an event we saw.
                known.refresh(now);
                resyncMarkers.listingEnded(listingEnd);
                if (!missed.isEmpty()) {
                    LOG.info("Resync after reconnection: {} missed transitions", missed.size());
                }
            }
            connected = true;
            // Events libvirt reported after the listing began, in order (duplicates of the resync dropped).
            appended |= applyQueued();
            // a disconnection queued while the listing ran was just handled: libvirtd is gone again
            stillConnected = connected;
        } finally {
            lock.unlock();
        }
        if (stillConnected) {
            observer.connected();
        }
        return appended;
    }

    private static void sleepMillis(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException interrupted) {
            Thread.currentThread().interrupt();
        }
    }

    @Override
    public String toString() {
        return "EventsMonitor[" + subscribers.size() + " subscribers, journal " + journal.oldestSequence() + ".."
                + journal.lastSequence() + "]";
    }

    /** For tests: uuids the monitor believes exist, with their state. */
    Map<String, VmState> knownStates() {
        lock.lock();
        try {
            return known.states();
        } finally {
            lock.unlock();
        }
    }
}
