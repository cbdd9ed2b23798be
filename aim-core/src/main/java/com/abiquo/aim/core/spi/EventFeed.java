package com.abiquo.aim.core.spi;

import static java.util.Objects.requireNonNull;

import com.abiquo.aim.v1.DomainEvent;
import com.abiquo.aim.v1.DomainSnapshot;
import java.time.Duration;
import java.util.List;
import java.util.Optional;

/**
 * The node's event journal, read-only, for modules that forward events elsewhere (aim-eventbus). aim-libvirt's
 * EventsMonitor publishes it in the {@link com.abiquo.aim.core.module.ServiceRegistry}. Events carry the node-wide
 * sequence numbers of the EventsMonitor service: strictly increasing, consecutive within one run of the agent.
 *
 * <p>A reader keeps its own position (the last sequence it handled), exactly as a gRPC subscriber resumes by
 * sequence; reading never slows the libvirt callback or the gRPC subscribers.
 */
public interface EventFeed {
    /** The newest journaled sequence ({@link #oldestSequence()} - 1 while the journal is empty). */
    long newestSequence();

    /** The oldest sequence still held; {@link #newestSequence()} + 1 while the journal is empty. */
    long oldestSequence();

    /**
     * The events after {@code afterSequence}, oldest first, at most {@code max}; empty when there is none yet.
     *
     * @return empty when the journal no longer reaches back to {@code afterSequence} (events after it were dropped,
     *     or it is not a sequence of this run): the reader must start over from a {@link #snapshot()}
     */
    Optional<List<DomainEvent>> readAfter(long afterSequence, int max);

    /**
     * Waits until an event after {@code sequence} is journaled, or the timeout passes.
     *
     * @return whether one is there
     */
    boolean awaitAfter(long sequence, Duration timeout) throws InterruptedException;

    /**
     * The current state of every domain and the sequence it is as of: events after {@code asOfSequence} come after
     * it. Empty until the monitor has listed the domains once (it has not reached libvirtd since it started).
     */
    Optional<Snapshot> snapshot();

    /**
     * @param asOfSequence the state is the one after this sequence
     * @param domains every domain the monitor knows, in the order they became known
     */
    record Snapshot(long asOfSequence, List<DomainSnapshot> domains) {
        public Snapshot {
            domains = List.copyOf(requireNonNull(domains, "domains is null"));
        }
    }
}
