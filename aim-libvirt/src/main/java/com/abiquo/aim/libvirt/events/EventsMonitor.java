package com.abiquo.aim.libvirt.events;

import static java.util.Objects.requireNonNull;

import com.abiquo.aim.core.error.AimException;
import com.abiquo.aim.core.error.CoreErrorReason;
import com.abiquo.aim.libvirt.LibvirtErrorReason;
import com.abiquo.aim.libvirt.connection.DomainEventSource;
import com.abiquo.aim.libvirt.connection.DomainEventSource.DomainLifecycleEvent;
import com.abiquo.aim.libvirt.connection.DomainEventSource.DomainStateSnapshot;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Collection;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.Logger;

/**
 * The EventsMonitor: libvirt's lifecycle events become numbered AIM events in a journal that subscribers follow.
 * Every event takes one road:
 * <ol>
 *   <li>the libvirt callback only enqueues it ({@link #onLifecycleEvent}), as it does the connection coming and
 *   going: nothing a subscriber does can hold up libvirt's event loop;</li>
 *   <li>one dispatcher thread takes the queue in order, maps each event, updates the one record of domain state and
 *   journals it ({@link DomainRecord#applyLive}), then signals the subscribers;</li>
 *   <li>subscribers drain on a pool ({@link Subscriptions}), each from its own journal position, never blocking;</li>
 *   <li>after a reconnection the same dispatcher lists the domains and the resync journals what was missed, on the
 *   same record ({@link DomainRecord#applyListing}).</li>
 * </ol>
 * Because a listing runs on the dispatcher, live events reported meanwhile wait in the queue behind it: ordering
 * them around the resync needs nothing more than the queue.
 */
public final class EventsMonitor implements DomainEventSource.Listener {
    private static final Logger LOG = LogManager.getLogger(EventsMonitor.class);
    /** Queue items the dispatcher takes at once; the subscribers are signalled once per batch. */
    private static final int BATCH = 4096;
    private static final long SYNC_RETRY_SECONDS = 2;
    /** How long a subscriber over its buffer may take nothing before it is cut off. */
    public static final Duration DEFAULT_STALL_GRACE = Duration.ofSeconds(1);

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

    /** Every known domain as it is after {@code asOfSequence}. */
    public record KnownAsOf(long asOfSequence, List<ResyncDiff.Known> domains) {
    }

    // What the dispatcher's queue holds besides libvirt's events.
    private record Sync() {
    }

    private record Disconnect(String why) {
    }

    private record Stop() {
    }

    private final ConnectionObserver observer;
    private final LongSupplier nanoClock;
    private final LongSupplier wallClock;
    private final EventJournal journal;
    private final EventsMetrics metrics = new EventsMetrics(this);
    private final DomainRecord record;
    private final Subscriptions subscriptions;
    private final BlockingQueue<Object> inbox = new LinkedBlockingQueue<>();
    private final ArrayDeque<Object> backlog = new ArrayDeque<>(); // the dispatcher's
    private final List<Runnable> appendWatchers = new CopyOnWriteArrayList<>();
    private final ScheduledExecutorService timer;
    private final Thread dispatcher;

    private volatile DomainEventSource source;
    private volatile boolean connected;
    private volatile boolean stopping;

    public EventsMonitor(MonitorConfig config, ConnectionObserver observer) {
        this(config, observer, System::nanoTime, System::currentTimeMillis, Math.max(2,
                Runtime.getRuntime().availableProcessors()), DEFAULT_STALL_GRACE);
    }

    /**
     * @param wallClock also fixes the first sequence number (milliseconds x 1000), so a new run of the agent numbers
     *     above the previous one and an old resume point is recognised as gone
     * @param drainThreads the pool the subscribers drain on
     */
    public EventsMonitor(MonitorConfig config, ConnectionObserver observer, LongSupplier nanoClock,
                         LongSupplier wallClock, int drainThreads, Duration stallGrace) {
        requireNonNull(config, "config is null");
        this.observer = requireNonNull(observer, "observer is null");
        this.nanoClock = requireNonNull(nanoClock, "nanoClock is null");
        this.wallClock = requireNonNull(wallClock, "wallClock is null");
        this.journal = new EventJournal(config.journalSize(), Math.max(1, wallClock.getAsLong() * 1000));
        this.record = new DomainRecord(journal, metrics);
        this.timer = Executors.newSingleThreadScheduledExecutor(runnable -> {
            Thread thread = new Thread(runnable, "aim-events-timer");
            thread.setDaemon(true);
            return thread;
        });
        this.subscriptions = new Subscriptions(record, config.subscriberBufferSize(), metrics, timer,
                requireNonNull(stallGrace, "stallGrace is null"), drainThreads);
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

    // ---- 1. the libvirt callback thread: enqueue, nothing else ----

    @Override
    public void onLifecycleEvent(DomainLifecycleEvent event) {
        inbox.add(event);
    }

    @Override
    public void onConnected(boolean reconnected) {
        requestSync();
    }

    @Override
    public void onDisconnected(String why) {
        inbox.add(new Disconnect(why == null ? "libvirt connection lost" : why));
    }

    private void requestSync() {
        inbox.add(new Sync());
    }

    // ---- 2. the dispatcher: map, record, journal, signal ----

    private void dispatchLoop() {
        try {
            while (true) {
                if (backlog.isEmpty()) {
                    backlog.add(inbox.take());
                    inbox.drainTo(backlog, BATCH);
                }
                boolean appended = false;
                while (!backlog.isEmpty()) {
                    Object next = backlog.poll();
                    if (next instanceof Stop) {
                        return;
                    }
                    appended |= dispatch(next);
                }
                if (appended) {
                    appendWatchers.forEach(Runnable::run);
                    subscriptions.signalAll();
                }
            }
        } catch (InterruptedException interrupted) {
            Thread.currentThread().interrupt();
        } catch (RuntimeException bug) {
            LOG.error("The events dispatcher failed; no more events will be delivered", bug);
            observer.disconnected("events dispatcher failed: " + bug);
        }
    }

    /** @return whether events were journaled */
    private boolean dispatch(Object item) {
        if (item instanceof DomainLifecycleEvent event) {
            return record.applyLive(event);
        }
        if (item instanceof Sync) {
            return resync();
        }
        if (item instanceof Disconnect disconnect) {
            if (connected || !record.baselined()) {
                LOG.warn("libvirt connection lost ({}); streams stay open, missed transitions will be resynced",
                        disconnect.why());
            }
            record.connectionLost();
            connected = false;
            observer.disconnected(disconnect.why());
        }
        return false;
    }

    // ---- 4. the resync, on the dispatcher and the same record ----

    /** Lists the domains and compares; the first time, the listing is the baseline. @return whether it journaled */
    private boolean resync() {
        long listingStart = nanoClock.getAsLong();
        List<DomainStateSnapshot> listing;
        try {
            listing = source.domainStates();
        } catch (AimException | RuntimeException failure) {
            connected = false;
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
            return false;
        }
        long listingEnd = nanoClock.getAsLong();
        // Events libvirt reported before the listing began are already in it: apply them first, as live events.
        // Those reported later stay queued, in order, behind it (duplicates of the resync are dropped then).
        inbox.drainTo(backlog);
        boolean appended = false;
        for (Iterator<Object> queued = backlog.iterator(); queued.hasNext(); ) {
            if (queued.next() instanceof DomainLifecycleEvent event && event.receivedNanos() < listingStart) {
                queued.remove();
                appended |= record.applyLive(event);
            }
        }
        appended |= record.applyListing(listing, listingEnd, nanoClock.getAsLong(), wallClock.getAsLong()) > 0;
        // A disconnection queued while the listing ran comes next: libvirtd is already gone again.
        if (backlog.stream().noneMatch(Disconnect.class::isInstance)) {
            connected = true;
            observer.connected();
        }
        return appended;
    }

    // ---- 3. subscriptions (their streams drain on the pool) ----

    public Subscriber subscribe(SubscribeSpec spec, SubscriberSink sink) throws AimException {
        requireNonNull(spec, "spec is null");
        requireNonNull(sink, "sink is null");
        checkServing();
        return subscriptions.open(spec, sink, connected);
    }

    /** Adds and removes domains of an open subscription; see events.proto ModifySubscription. */
    public ModifyResult modify(String subscriptionId, Collection<DomainKey> add, Collection<DomainKey> remove,
                               boolean includeSnapshot) throws AimException {
        return subscriptions.modify(subscriptionId, add, remove, includeSnapshot);
    }

    /**
     * Ends a subscription; its stream completes normally. @return the last sequence sent to it, or 0 while a snapshot
     * was not completely sent (no resume point, as when such a stream is cut off)
     */
    public long unsubscribe(String subscriptionId) throws AimException {
        return subscriptions.unsubscribe(subscriptionId);
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

    /**
     * Runs {@code watcher} on the dispatcher after events are journaled. Readers that follow the journal on a thread
     * of their own (the event bus) wake on it; it must return at once (unpark a thread).
     */
    public void watchAppends(Runnable watcher) {
        appendWatchers.add(requireNonNull(watcher, "watcher is null"));
    }

    /** The known domains with the journal's last sequence, read together; null before the first domain listing. */
    public KnownAsOf knownDomains() {
        return record.read(view -> record.baselined()
                ? new KnownAsOf(view.journal().lastSequence(), view.domains()) : null);
    }

    private void checkServing() throws AimException {
        if (stopping) {
            throw AimException.unavailable(CoreErrorReason.AGENT_STOPPING, "the agent is shutting down");
        }
        if (source == null) {
            throw AimException.unavailable(LibvirtErrorReason.EVENT_SOURCE_MISSING, "the libvirt connection is not available in this "
                    + "agent (the libvirt module did not start), so there are no events to subscribe to");
        }
        if (!record.baselined()) {
            throw AimException.unavailable(LibvirtErrorReason.LIBVIRT_NOT_CONNECTED, "the agent has not reached libvirtd since it "
                    + "started, so it knows no domain state yet; retry when health reports SERVING");
        }
    }

    // ---- state for health, metrics and tests ----

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
        return subscriptions.count();
    }

    /** For tests: uuids the monitor believes exist, with their state. */
    Map<String, VmState> knownStates() {
        return record.states();
    }

    /** Ends every stream with {@link StreamEnd#SHUTDOWN} and stops the threads; returns within a few seconds. */
    public void stop() {
        stopping = true;
        subscriptions.closeAll(StreamEnd.SHUTDOWN, "the agent is shutting down");
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
        subscriptions.shutdownPool();
    }

    @Override
    public String toString() {
        return "EventsMonitor[" + subscriptions.count() + " subscribers, journal " + journal.oldestSequence() + ".."
                + journal.lastSequence() + "]";
    }
}
