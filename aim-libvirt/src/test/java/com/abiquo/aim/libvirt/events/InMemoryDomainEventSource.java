package com.abiquo.aim.libvirt.events;

import com.abiquo.aim.core.error.AimException;
import com.abiquo.aim.libvirt.connection.DomainEventSource;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * A named test double of the libvirt connection for unit tests of the monitor's logic: a map of domains whose
 * changes are announced to listeners the way the real connection does (on the caller's thread, like libvirt's
 * event-loop thread), and a switch to simulate libvirtd going away (events then happen without being announced).
 */
final class InMemoryDomainEventSource implements DomainEventSource {
    private final List<Listener> listeners = new CopyOnWriteArrayList<>();
    private final Map<String, DomainStateSnapshot> domains = new ConcurrentHashMap<>();
    private volatile boolean up = true;
    /** Listings that fail although the source is up (a transient libvirt error). */
    volatile int failingListings;
    /** Runs inside the next listing, before it reads the table: libvirt reporting an event while AIM lists. */
    volatile Runnable duringNextListing;

    @Override
    public void addListener(Listener listener) {
        listeners.add(listener);
    }

    @Override
    public void removeListener(Listener listener) {
        listeners.remove(listener);
    }

    @Override
    public List<DomainStateSnapshot> domainStates() throws AimException {
        if (!up) {
            throw AimException.unavailable("LIBVIRT_UNREACHABLE", "in-memory source is down");
        }
        if (failingListings > 0) {
            failingListings--;
            throw AimException.unavailable("LIBVIRT_UNREACHABLE", "in-memory source: transient listing failure");
        }
        Runnable during = duringNextListing;
        duringNextListing = null;
        if (during != null) {
            during.run();
        }
        return new ArrayList<>(domains.values());
    }

    int listenerCount() {
        return listeners.size();
    }

    /** Applies a libvirt event to the domain table and, while up, announces it. */
    void fire(String uuid, String name, int type, int detail) {
        int state = switch (type) {
            case 0 -> domains.containsKey(uuid) ? domains.get(uuid).state() : 5;
            case 1 -> -1;
            case 2, 4 -> 1;
            case 3 -> 3;
            case 5 -> 5;
            case 7 -> 7;
            case 8 -> 6;
            default -> domains.containsKey(uuid) ? domains.get(uuid).state() : 0;
        };
        if (state == -1) {
            domains.remove(uuid);
        } else {
            domains.put(uuid, new DomainStateSnapshot(uuid, name, state));
        }
        if (up) {
            DomainLifecycleEvent event = new DomainLifecycleEvent(uuid, name, type, detail, state, System.nanoTime(),
                    System.currentTimeMillis());
            listeners.forEach(listener -> listener.onLifecycleEvent(event));
        }
    }

    /** Changes a domain silently (as if it happened while AIM was not connected). */
    void setSilently(String uuid, String name, int state) {
        if (state < 0) {
            domains.remove(uuid);
        } else {
            domains.put(uuid, new DomainStateSnapshot(uuid, name, state));
        }
    }

    void disconnect() {
        up = false;
        listeners.forEach(listener -> listener.onDisconnected("test: daemon killed"));
    }

    void reconnect() {
        up = true;
        listeners.forEach(listener -> listener.onConnected(true));
    }
}
