package com.abiquo.aim.server;

import com.abiquo.aim.client.AimClientException;
import com.abiquo.aim.client.DomainEventHandler;
import com.abiquo.aim.v1.DomainEvent;
import com.abiquo.aim.v1.DomainSnapshot;
import com.abiquo.aim.v1.DomainState;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;

/**
 * A handler that writes down everything a watcher tells it, checks that the cache it is given agrees with each
 * event, and can hold the watcher's thread (a slow controller).
 */
class WatchRecorder implements DomainEventHandler {
    final List<DomainEvent> events = new CopyOnWriteArrayList<>();
    final List<DomainSnapshot> snapshotStates = new CopyOnWriteArrayList<>();
    final List<DomainSnapshot> deleted = new CopyOnWriteArrayList<>();
    final List<Long> syncs = new CopyOnWriteArrayList<>();
    final List<AimClientException> disconnects = new CopyOnWriteArrayList<>();
    final List<String> cacheDisagreements = new CopyOnWriteArrayList<>();
    volatile CountDownLatch gate = new CountDownLatch(0);

    @Override
    public void onEvent(DomainEvent event, Map<String, DomainSnapshot> domains) throws InterruptedException {
        gate.await();
        DomainSnapshot cached = domains.get(event.getDomainUuid());
        boolean agrees = event.getState() == DomainState.DOMAIN_STATE_UNDEFINED ? cached == null
                : cached != null && cached.getState() == event.getState();
        if (!agrees) {
            cacheDisagreements.add(event.getSequence() + ": " + event.getState() + " vs " + cached);
        }
        events.add(event);
    }

    @Override
    public void onSnapshotState(DomainSnapshot domain, Map<String, DomainSnapshot> domains) {
        snapshotStates.add(domain);
    }

    @Override
    public void onDeleted(DomainSnapshot lastKnown, Map<String, DomainSnapshot> domains) {
        if (domains.containsKey(lastKnown.getDomainUuid())) {
            cacheDisagreements.add("deleted but cached: " + lastKnown);
        }
        deleted.add(lastKnown);
    }

    @Override
    public void onSynced(long sequence, Map<String, DomainSnapshot> domains) {
        syncs.add(sequence);
    }

    @Override
    public void onDisconnected(AimClientException cause, Duration retryIn) {
        disconnects.add(cause);
    }

    long lastSequence() {
        return events.isEmpty() ? 0 : events.get(events.size() - 1).getSequence();
    }
}
