package com.abiquo.aim.client;

import static java.util.Objects.requireNonNull;

import com.abiquo.aim.v1.DomainEvent;
import com.abiquo.aim.v1.DomainSnapshot;
import java.util.Map;
import java.util.concurrent.CompletableFuture;

/** Passes everything to the user's handler and completes {@code synced} at the first sync, after the handler. */
final class SyncedSignal implements DomainEventHandler {
    private final DomainEventHandler delegate;
    private final CompletableFuture<Long> synced;

    SyncedSignal(DomainEventHandler delegate, CompletableFuture<Long> synced) {
        this.delegate = requireNonNull(delegate, "delegate");
        this.synced = requireNonNull(synced, "synced");
    }

    @Override
    public void onEvent(DomainEvent event, Map<String, DomainSnapshot> cache) throws Exception {
        delegate.onEvent(event, cache);
    }

    @Override
    public void onSnapshotState(DomainSnapshot domain, Map<String, DomainSnapshot> cache) throws Exception {
        delegate.onSnapshotState(domain, cache);
    }

    @Override
    public void onDeleted(DomainSnapshot lastKnown, Map<String, DomainSnapshot> cache) throws Exception {
        delegate.onDeleted(lastKnown, cache);
    }

    @Override
    public void onSynced(long sequence, Map<String, DomainSnapshot> cache) {
        delegate.onSynced(sequence, cache);
        synced.complete(sequence);
    }
}
