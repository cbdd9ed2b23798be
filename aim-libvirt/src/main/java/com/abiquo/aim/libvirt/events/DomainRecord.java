package com.abiquo.aim.libvirt.events;

import static java.util.Objects.requireNonNull;

import com.abiquo.aim.libvirt.connection.DomainEventSource.DomainLifecycleEvent;
import com.abiquo.aim.libvirt.connection.DomainEventSource.DomainStateSnapshot;
import com.abiquo.aim.libvirt.connection.DomainStates;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Function;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.Logger;

/**
 * The monitor's one record of domain state, together with the journal that explains it: every change goes through
 * here, journaled and recorded under one lock, so whoever reads both under that lock ({@link #read}) sees a state
 * that is exactly the journal's newest event applied. Live events and the resync after a reconnection use the same
 * record and the same rules ({@link LifecycleMapping}, {@link ResyncDiff}, {@link VmState#active()}).
 *
 * <p>Written only by the monitor's dispatcher thread; read by subscriptions and the event feed.
 */
final class DomainRecord {
    private static final Logger LOG = LogManager.getLogger(DomainRecord.class);

    /** What a reader sees under the lock. */
    interface View {
        EventJournal journal();

        /** Every known domain as it is after the journal's newest event. */
        List<ResyncDiff.Known> domains();
    }

    private final ReentrantLock lock = new ReentrantLock();
    private final EventJournal journal;
    private final EventsMetrics metrics;
    private final KnownDomains known = new KnownDomains(); // guarded by the lock
    // A live event the resync already reported (guarded by the lock).
    private final ResyncMarkers resyncMarkers = new ResyncMarkers();
    private final View view;
    private volatile boolean baselined;

    DomainRecord(EventJournal journal, EventsMetrics metrics) {
        this.journal = requireNonNull(journal, "journal is null");
        this.metrics = requireNonNull(metrics, "metrics is null");
        this.view = new View() {
            @Override
            public EventJournal journal() {
                return journal;
            }

            @Override
            public List<ResyncDiff.Known> domains() {
                return List.copyOf(known.all());
            }
        };
    }

    /** Whether a first listing has given the record every domain (before it, there is no state to serve). */
    boolean baselined() {
        return baselined;
    }

    /** Runs {@code reader} with the journal and the states held still. It must be quick: the dispatcher waits. */
    <T> T read(Function<View, T> reader) {
        lock.lock();
        try {
            return reader.apply(view);
        } finally {
            lock.unlock();
        }
    }

    /** Maps a libvirt event, journals it and records the state it leaves. @return whether it was journaled */
    boolean applyLive(DomainLifecycleEvent raw) {
        String uuid = raw.uuid().toLowerCase(Locale.ROOT);
        lock.lock();
        try {
            ResyncDiff.Known before = known.get(uuid);
            EventKind kind = LifecycleMapping.kind(raw.eventType(), raw.detail());
            VmState state = LifecycleMapping.stateAfter(raw.eventType(), before == null ? null : before.state());
            // Only an event that would change nothing can be the resync's: a domain started and stopped again while
            // the listing ran has its second stop match the resync's mark, but it is news (the start came between).
            boolean changesNothing = before == null || before.state() == state;
            if (changesNothing && resyncMarkers.alreadyReported(uuid, kind, raw.receivedNanos())) {
                LOG.debug("Live {} of {} already reported by the resync", kind, raw.name());
                return false;
            }
            // A domain without a definition that stopped while the resync listed is gone from the listing, so the
            // resync reported it DESTROYED; its STOPPED, delivered after, is that same end, not a new SHUTOFF domain.
            if (before == null && raw.eventType() == DomainStates.EVENT_STOPPED
                    && resyncMarkers.alreadyReported(uuid, EventKind.DESTROYED, raw.receivedNanos())) {
                LOG.debug("Live stop of {} already reported by the resync as its end", raw.name());
                return false;
            }
            state = known.followDefinition(uuid, raw.eventType(), before, state);
            append(uuid, raw.name(), kind, raw.eventType(), raw.detail(),
                    LifecycleMapping.describe(raw.eventType(), raw.detail()), state, false, raw.receivedNanos(),
                    raw.epochMillis());
            return true;
        } finally {
            lock.unlock();
        }
    }

    /** The connection went away: domains may come and go unseen until the next listing. */
    void connectionLost() {
        lock.lock();
        try {
            known.connectionLost();
        } finally {
            lock.unlock();
        }
    }

    /**
     * Takes a listing of every domain: the first one is the baseline; later ones (after a reconnection) journal the
     * transitions that explain the difference, marked as resync.
     *
     * @param listingEndNanos when the listing returned (live events soon after it may repeat what it saw)
     * @return the number of resync events journaled
     */
    int applyListing(List<DomainStateSnapshot> listing, long listingEndNanos, long nowNanos, long nowEpochMillis) {
        lock.lock();
        try {
            Map<String, ResyncDiff.Known> now = known.takeListing(listing);
            resyncMarkers.clear();
            if (!baselined) {
                known.baseline(now);
                baselined = true;
                LOG.info("Events monitor knows {} domains", now.size());
                return 0;
            }
            List<ResyncDiff.Transition> missed = known.missedTransitions(now);
            for (ResyncDiff.Transition transition : missed) {
                append(transition.uuid(), transition.name(), transition.kind(), -1, -1, "RESYNC", transition.state(),
                        true, nowNanos, nowEpochMillis);
                resyncMarkers.mark(transition.uuid(), transition.kind());
            }
            // Names may have changed without an event we saw.
            known.refresh(now);
            resyncMarkers.listingEnded(listingEndNanos);
            if (!missed.isEmpty()) {
                LOG.info("Resync after reconnection: {} missed transitions", missed.size());
            }
            return missed.size();
        } finally {
            lock.unlock();
        }
    }

    /** uuid -> state of every known domain (a copy). */
    Map<String, VmState> states() {
        lock.lock();
        try {
            return known.states();
        } finally {
            lock.unlock();
        }
    }

    private void append(String uuid, String name, EventKind kind, int type, int detail, String text, VmState state,
                        boolean resync, long receivedNanos, long epochMillis) {
        journal.append(new MonitorEvent(journal.nextSequence(), epochMillis, receivedNanos, uuid, name, kind, type,
                detail, text, state, resync));
        metrics.appended(kind, resync);
        known.record(uuid, name, state);
    }
}
