package com.abiquo.aim.libvirt.events;

import com.abiquo.aim.core.error.AimException;
import com.abiquo.aim.libvirt.LibvirtErrorReason;
import com.abiquo.aim.libvirt.connection.DomainEventSource;
import com.abiquo.aim.libvirt.connection.DomainStates;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
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
    private final Set<String> transients = ConcurrentHashMap.newKeySet();
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
            throw AimException.unavailable(LibvirtErrorReason.LIBVIRT_UNREACHABLE, "in-memory source is down");
        }
        if (failingListings > 0) {
            failingListings--;
            throw AimException.unavailable(LibvirtErrorReason.LIBVIRT_UNREACHABLE, "in-memory source: transient listing failure");
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

    /**
     * Applies a libvirt event to the domain table (libvirt's side: what a later listing reads) and, while up,
     * announces it as the real connection does, without a state. As in libvirt, a domain that runs without having
     * been in the table (created, not defined) or undefined while running has no definition: it leaves the table when
     * it stops.
     */
    void fire(String uuid, String name, int type, int detail) {
        DomainStateSnapshot before = domains.get(uuid);
        int state = switch (type) {
            case 0 -> before != null ? before.state() : 5;
            case 1 -> before != null && DomainStates.isActive(before.state()) ? before.state() : -1;
            case 2, 4 -> 1;
            case 3 -> 3;
            case 5 -> 5;
            case 7 -> 7;
            case 8 -> 6;
            default -> domains.containsKey(uuid) ? domains.get(uuid).state() : 0;
        };
        if (type == 0) {
            transients.remove(uuid);
        } else if ((type == 1 && state != -1) || (before == null && DomainStates.isActive(state))) {
            transients.add(uuid);
        }
        if (state == -1 || (type == 5 && transients.remove(uuid))) {
            domains.remove(uuid);
        } else {
            domains.put(uuid, new DomainStateSnapshot(uuid, name, state, !transients.contains(uuid)));
        }
        if (up) {
            DomainLifecycleEvent event = new DomainLifecycleEvent(uuid, name, type, detail, System.nanoTime(),
                    System.currentTimeMillis());
            listeners.forEach(listener -> listener.onLifecycleEvent(event));
        }
    }

    /** Changes a domain silently (as if it happened while AIM was not connected). */
    void setSilently(String uuid, String name, int state) {
        if (state < 0) {
            domains.remove(uuid);
            transients.remove(uuid);
        } else {
            domains.put(uuid, new DomainStateSnapshot(uuid, name, state));
        }
    }

    /** A domain that already runs without a definition (virsh create), as if started while AIM was away. */
    void setTransientSilently(String uuid, String name, int state) {
        transients.add(uuid);
        domains.put(uuid, new DomainStateSnapshot(uuid, name, state, false));
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
