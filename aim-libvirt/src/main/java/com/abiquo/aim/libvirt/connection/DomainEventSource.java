package com.abiquo.aim.libvirt.connection;

import com.abiquo.aim.core.error.AimException;
import java.util.List;

/**
 * What the libvirt connection offers the EventsMonitor: raw lifecycle events as libvirt reports them, the news that
 * the connection went away or came back, and the current state of every domain (for snapshots and resyncs).
 * Published in the module registry by the libvirt module; the EventsMonitor looks it up.
 */
public interface DomainEventSource {

    /** Called on the libvirt event-loop thread: implementations must hand the event off and return at once. */
    interface Listener {
        void onLifecycleEvent(DomainLifecycleEvent event);

        /**
         * The connection is (again) up and the lifecycle callback is registered. After a reconnect, events of the
         * time in between are lost: compare {@link #domainStates()} with what was last known.
         */
        void onConnected(boolean reconnected);

        /** The connection was lost; a reconnect with backoff is under way. */
        void onDisconnected(String why);
    }

    /** Registers a listener; events reach it from then on. */
    void addListener(Listener listener);

    void removeListener(Listener listener);

    /** Every domain of the node with its current state; UNAVAILABLE while libvirtd is unreachable. */
    List<DomainStateSnapshot> domainStates() throws AimException;

    /**
     * One lifecycle event, as libvirt reported it. It carries no state: the state a domain is in after an event is
     * the events monitor's to work out, from what it knows of the domain (its DomainRecord).
     *
     * @param eventType libvirt's virDomainEventType (0 DEFINED, 1 UNDEFINED, 2 STARTED, 3 SUSPENDED, 4 RESUMED,
     *     5 STOPPED, 6 SHUTDOWN, 7 PMSUSPENDED, 8 CRASHED)
     * @param detail libvirt's detail code for that type (e.g. STOPPED 4 = SAVED)
     * @param receivedNanos System.nanoTime() when the callback ran, for latency measurements
     * @param epochMillis wall-clock time of the callback
     */
    record DomainLifecycleEvent(String uuid, String name, int eventType, int detail, long receivedNanos,
                                long epochMillis) {
    }

    /** @param state libvirt's virDomainState (0 NOSTATE .. 7 PMSUSPENDED) */
    /** @param persistent whether the domain has a definition (a transient one is gone once it stops) */
    record DomainStateSnapshot(String uuid, String name, int state, boolean persistent) {
        /** A defined (persistent) domain. */
        public DomainStateSnapshot(String uuid, String name, int state) {
            this(uuid, name, state, true);
        }
    }
}
