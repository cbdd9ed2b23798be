package com.abiquo.aim.eventbus.stream;

import com.abiquo.aim.core.spi.EventFeed;
import com.abiquo.aim.v1.DomainEvent;
import java.util.List;

/**
 * Where the {@link JournalForwarder} sends the journal: a Redis stream today, a Kafka topic could follow. A sink keeps
 * the node's events in sequence order and says, after each (re)connection, how far its copy goes; the forwarder
 * holds no state of its own across reconnections. Used by one thread at a time.
 */
public interface EventSink extends AutoCloseable {
    /** For logs and health reasons, e.g. "redis://host:6379 stream aim:events:node1" (never a password). */
    String describe();

    /**
     * Connects (again, dropping an earlier connection) and reads where the sink's copy of the journal ends.
     *
     * @return the sequence the copy holds everything up to: the last event, or the sequence a snapshot is as of;
     *     0 for an empty sink
     */
    long open() throws SinkFailure;

    /** Stores the events, in order; an event the sink already holds counts as stored. */
    void publish(List<DomainEvent> events) throws SinkFailure;

    /**
     * Stores a lost-resume-point marker with the snapshot after it, as one unit (all or nothing), so a consumer
     * replaces its view with it. {@code snapshot.asOfSequence()} must be above what {@link #open()} returned.
     */
    void publishSnapshot(EventFeed.Snapshot snapshot) throws SinkFailure;

    /** Drops the connection; {@link #open()} may be called again. */
    @Override
    void close();
}
