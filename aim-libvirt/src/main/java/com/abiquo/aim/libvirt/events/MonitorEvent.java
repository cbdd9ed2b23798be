package com.abiquo.aim.libvirt.events;

import static java.util.Objects.requireNonNull;

/**
 * One AIM event as the journal keeps it.
 *
 * @param sequence node-wide, strictly increasing
 * @param epochMillis wall-clock time of the libvirt callback (of the resync for resync events)
 * @param receivedNanos System.nanoTime() of the libvirt callback, for latency measurements only
 * @param libvirtType virDomainEventType, -1 for resync events
 * @param libvirtDetail libvirt's detail code, -1 for resync events
 * @param libvirtText e.g. "STOPPED/SAVED", "RESYNC"
 * @param state the domain's state after the event
 * @param resync derived from a state comparison after a reconnection, not reported by libvirt
 */
public record MonitorEvent(long sequence, long epochMillis, long receivedNanos, String uuid, String name,
                           EventKind kind, int libvirtType, int libvirtDetail, String libvirtText, VmState state,
                           boolean resync) {
    public MonitorEvent {
        requireNonNull(uuid, "uuid is null");
        requireNonNull(name, "name is null");
        requireNonNull(kind, "kind is null");
        requireNonNull(libvirtText, "libvirtText is null");
        requireNonNull(state, "state is null");
    }
}
