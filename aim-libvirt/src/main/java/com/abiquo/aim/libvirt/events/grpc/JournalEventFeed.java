package com.abiquo.aim.libvirt.events.grpc;

import static java.util.Objects.requireNonNull;

import com.abiquo.aim.core.error.AimException;
import com.abiquo.aim.core.module.NodeIdentity;
import com.abiquo.aim.core.spi.EventFeed;
import com.abiquo.aim.libvirt.events.EventJournal;
import com.abiquo.aim.libvirt.events.EventsMonitor;
import com.abiquo.aim.v1.DomainEvent;
import com.abiquo.aim.v1.DomainSnapshot;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.locks.LockSupport;

/**
 * The EventsMonitor's journal as the read-only {@link EventFeed} other modules see, in events.proto's messages. It
 * reads the journal without its lock (as subscribers do) and is woken by the monitor after each append, so a reader
 * waiting here costs the callback one unpark.
 */
public final class JournalEventFeed implements EventFeed {
    private final EventsMonitor monitor;
    private final EventMessages messages;
    private final Set<Thread> waiting = ConcurrentHashMap.newKeySet();

    public JournalEventFeed(EventsMonitor monitor, NodeIdentity node) {
        this.monitor = requireNonNull(monitor, "monitor is null");
        this.messages = new EventMessages(requireNonNull(node, "node is null"));
        monitor.watchAppends(this::wakeReaders);
    }

    private void wakeReaders() {
        if (!waiting.isEmpty()) {
            waiting.forEach(LockSupport::unpark);
        }
    }

    @Override
    public long newestSequence() {
        return monitor.journal().lastSequence();
    }

    @Override
    public long oldestSequence() {
        return monitor.journal().oldestSequence();
    }

    @Override
    public Optional<List<DomainEvent>> readAfter(long afterSequence, int max) {
        EventJournal.Page page;
        try {
            page = monitor.journal().read(afterSequence, max, event -> true);
        } catch (AimException gone) {
            // dropped from the ring, not issued yet, or of an earlier run
            return Optional.empty();
        }
        List<DomainEvent> events = new ArrayList<>(page.events().size());
        page.events().forEach(event -> events.add(messages.event(event)));
        return Optional.of(events);
    }

    @Override
    public boolean awaitAfter(long sequence, Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        Thread self = Thread.currentThread();
        waiting.add(self);
        try {
            while (newestSequence() <= sequence) {
                long left = deadline - System.nanoTime();
                if (left <= 0) {
                    return false;
                }
                LockSupport.parkNanos(this, left);
                if (Thread.interrupted()) {
                    throw new InterruptedException();
                }
            }
            return true;
        } finally {
            waiting.remove(self);
        }
    }

    @Override
    public Optional<Snapshot> snapshot() {
        EventsMonitor.KnownAsOf known = monitor.knownDomains();
        if (known == null) {
            return Optional.empty();
        }
        List<DomainSnapshot> domains = new ArrayList<>(known.domains().size());
        known.domains().forEach(domain -> domains.add(DomainSnapshot.newBuilder()
                .setDomainUuid(domain.uuid())
                .setDomainName(domain.name())
                .setState(EventMessages.state(domain.state()))
                .build()));
        return Optional.of(new Snapshot(known.asOfSequence(), domains));
    }
}
