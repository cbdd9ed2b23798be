package com.abiquo.aim.client;

import com.abiquo.aim.v1.DomainEvent;
import com.abiquo.aim.v1.DomainSnapshot;
import java.time.Duration;
import java.util.Map;

/**
 * What a controller does with a node's domain events, called by {@link EventWatcher} (gRPC) or
 * {@link StreamEventWatcher} (Redis) on one thread, in sequence order, once per event. {@code domains} is the cache
 * after the change: domain uuid -> last known state (a read-only view, valid during the call; copy what you keep).
 * A handler that throws has not handled the change: the cache goes back, the cursor stays, and the watcher
 * delivers it again after a reconnection, so handlers should be idempotent.
 */
public interface DomainEventHandler {
    /** One lifecycle event. */
    void onEvent(DomainEvent event, Map<String, DomainSnapshot> domains) throws Exception;

    /**
     * A snapshot gave a domain a state the cache did not have (a domain not known yet, or a changed state: events
     * were missed, or this is the first listing).
     */
    default void onSnapshotState(DomainSnapshot domain, Map<String, DomainSnapshot> domains) throws Exception {
    }

    /** A domain vanished: it was known but is absent from a snapshot that replaced the cache (events were missed). */
    default void onDeleted(DomainSnapshot lastKnown, Map<String, DomainSnapshot> domains) throws Exception {
    }

    /** The cache shows the agent's state as of {@code sequence}: after a full snapshot, or when a resume was honoured. */
    default void onSynced(long sequence, Map<String, DomainSnapshot> domains) {
    }

    /** The stream ended; the watcher resumes after {@code retryIn}. For logs and operators' messages. */
    default void onDisconnected(AimClientException cause, Duration retryIn) {
    }
}
