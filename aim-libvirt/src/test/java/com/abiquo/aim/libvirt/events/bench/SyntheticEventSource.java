package com.abiquo.aim.libvirt.events.bench;

import com.abiquo.aim.libvirt.connection.DomainEventSource;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * An event source for the fan-out benchmark: a fixed set of domains and a method that plays libvirt's event-loop
 * thread, calling the listeners as fast as the caller wants. Everything behind it (monitor, journal, subscribers,
 * gRPC, Netty) is the real code.
 */
final class SyntheticEventSource implements DomainEventSource {
    private final List<Listener> listeners = new CopyOnWriteArrayList<>();
    private final List<DomainStateSnapshot> domains = new ArrayList<>();

    SyntheticEventSource(int domainCount) {
        for (int i = 0; i < domainCount; i++) {
            domains.add(new DomainStateSnapshot(String.format("00000000-0000-4000-8000-%012d", i), "bench-" + i, 1));
        }
    }

    @Override
    public void addListener(Listener listener) {
        listeners.add(listener);
    }

    @Override
    public void removeListener(Listener listener) {
        listeners.remove(listener);
    }

    @Override
    public List<DomainStateSnapshot> domainStates() {
        return List.copyOf(domains);
    }

    /** One SUSPENDED or RESUMED event for domain {@code index % count}. */
    void fire(long index) {
        DomainStateSnapshot domain = domains.get((int) (index % domains.size()));
        boolean pause = (index / domains.size()) % 2 == 0;
        DomainLifecycleEvent event = new DomainLifecycleEvent(domain.uuid(), domain.name(), pause ? 3 : 4, 0,
                System.nanoTime(), System.currentTimeMillis());
        for (Listener listener : listeners) {
            listener.onLifecycleEvent(event);
        }
    }
}
