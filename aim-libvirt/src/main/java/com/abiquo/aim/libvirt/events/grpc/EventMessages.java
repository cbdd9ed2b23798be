package com.abiquo.aim.libvirt.events.grpc;

import com.abiquo.aim.core.module.NodeIdentity;
import com.abiquo.aim.libvirt.events.DomainKey;
import com.abiquo.aim.libvirt.events.EventKind;
import com.abiquo.aim.libvirt.events.MonitorEvent;
import com.abiquo.aim.libvirt.events.StreamItem;
import com.abiquo.aim.libvirt.events.SubscriptionFilter;
import com.abiquo.aim.libvirt.events.VmState;
import com.abiquo.aim.v1.DomainEvent;
import com.abiquo.aim.v1.DomainEventKind;
import com.abiquo.aim.v1.DomainRef;
import com.abiquo.aim.v1.DomainSnapshot;
import com.abiquo.aim.v1.DomainState;
import com.abiquo.aim.v1.EventFilter;
import com.abiquo.aim.v1.EventNode;
import com.abiquo.aim.v1.SnapshotEnd;
import com.abiquo.aim.v1.SnapshotReason;
import com.abiquo.aim.v1.SnapshotStart;
import com.abiquo.aim.v1.SubscribeResponse;
import com.abiquo.aim.v1.SubscriptionStarted;
import com.google.protobuf.Timestamp;

/** Between the monitor's values and events.proto's messages. */
final class EventMessages {
    private final EventNode node;

    EventMessages(NodeIdentity identity) {
        this.node = EventNode.newBuilder()
                .setHostname(identity.hostname() == null ? "" : identity.hostname())
                .setAddress(identity.address() == null ? "" : identity.address())
                .build();
    }

    EventNode node() {
        return node;
    }

    SubscribeResponse response(StreamItem item) {
        if (item instanceof StreamItem.Event event) {
            return eventResponse(event.entry().event());
        }
        SubscribeResponse.Builder response = SubscribeResponse.newBuilder();
        if (item instanceof StreamItem.Started started) {
            response.setStarted(SubscriptionStarted.newBuilder()
                    .setSubscriptionId(started.subscriptionId())
                    .setNode(node)
                    .setLastSequence(started.lastSequence())
                    .setOldestSequence(started.oldestSequence())
                    .setResumed(started.resumed())
                    .setSourceConnected(started.sourceConnected()));
        } else if (item instanceof StreamItem.SnapshotStart start) {
            response.setSnapshotStart(SnapshotStart.newBuilder()
                    .setReason(reason(start.reason()))
                    .setAsOfSequence(start.asOfSequence())
                    .setDomainCount(start.domainCount()));
        } else if (item instanceof StreamItem.SnapshotDomain domain) {
            response.setSnapshotDomain(DomainSnapshot.newBuilder()
                    .setDomainUuid(domain.uuid())
                    .setDomainName(domain.name())
                    .setState(state(domain.state())));
        } else if (item instanceof StreamItem.SnapshotEnd end) {
            response.setSnapshotEnd(SnapshotEnd.newBuilder()
                    .setReason(reason(end.reason()))
                    .setAsOfSequence(end.asOfSequence()));
        } else {
            throw new IllegalArgumentException("unknown stream item " + item);
        }
        return response.build();
    }

    SubscribeResponse eventResponse(MonitorEvent event) {
        return SubscribeResponse.newBuilder().setEvent(event(event)).build();
    }

    DomainEvent event(MonitorEvent event) {
        return DomainEvent.newBuilder()
                .setSequence(event.sequence())
                .setTime(Timestamp.newBuilder()
                        .setSeconds(Math.floorDiv(event.epochMillis(), 1000))
                        .setNanos(Math.floorMod(event.epochMillis(), 1000) * 1_000_000))
                .setNode(node)
                .setDomainUuid(event.uuid())
                .setDomainName(event.name())
                .setKind(kind(event.kind()))
                .setLibvirtEventType(event.libvirtType())
                .setLibvirtEventDetail(event.libvirtDetail())
                .setLibvirtEvent(event.libvirtText())
                .setState(state(event.state()))
                .setResync(event.resync())
                .build();
    }

    static EventFilter filter(SubscriptionFilter filter) {
        EventFilter.Builder builder = EventFilter.newBuilder().setAllDomains(filter.allDomainsSelected());
        for (DomainKey key : filter.domains()) {
            builder.addDomains(key.byUuid() ? DomainRef.newBuilder().setUuid(key.value())
                    : DomainRef.newBuilder().setName(key.value()));
        }
        filter.kinds().stream().sorted().forEach(kind -> builder.addKinds(kind(kind)));
        return builder.build();
    }

    static DomainEventKind kind(EventKind kind) {
        return switch (kind) {
            case CREATED -> DomainEventKind.DOMAIN_EVENT_KIND_CREATED;
            case DESTROYED -> DomainEventKind.DOMAIN_EVENT_KIND_DESTROYED;
            case POWERED_ON -> DomainEventKind.DOMAIN_EVENT_KIND_POWERED_ON;
            case POWERED_OFF -> DomainEventKind.DOMAIN_EVENT_KIND_POWERED_OFF;
            case PAUSED -> DomainEventKind.DOMAIN_EVENT_KIND_PAUSED;
            case RESUMED -> DomainEventKind.DOMAIN_EVENT_KIND_RESUMED;
            case SAVED -> DomainEventKind.DOMAIN_EVENT_KIND_SAVED;
            case SHUTTING_DOWN -> DomainEventKind.DOMAIN_EVENT_KIND_SHUTTING_DOWN;
            case CRASHED -> DomainEventKind.DOMAIN_EVENT_KIND_CRASHED;
            case PMSUSPENDED -> DomainEventKind.DOMAIN_EVENT_KIND_PMSUSPENDED;
            case UNKNOWN -> DomainEventKind.DOMAIN_EVENT_KIND_UNKNOWN;
        };
    }

    /** @return null for UNSPECIFIED and values this version does not know */
    static EventKind kind(DomainEventKind kind) {
        return switch (kind) {
            case DOMAIN_EVENT_KIND_CREATED -> EventKind.CREATED;
            case DOMAIN_EVENT_KIND_DESTROYED -> EventKind.DESTROYED;
            case DOMAIN_EVENT_KIND_POWERED_ON -> EventKind.POWERED_ON;
            case DOMAIN_EVENT_KIND_POWERED_OFF -> EventKind.POWERED_OFF;
            case DOMAIN_EVENT_KIND_PAUSED -> EventKind.PAUSED;
            case DOMAIN_EVENT_KIND_RESUMED -> EventKind.RESUMED;
            case DOMAIN_EVENT_KIND_SAVED -> EventKind.SAVED;
            case DOMAIN_EVENT_KIND_SHUTTING_DOWN -> EventKind.SHUTTING_DOWN;
            case DOMAIN_EVENT_KIND_CRASHED -> EventKind.CRASHED;
            case DOMAIN_EVENT_KIND_PMSUSPENDED -> EventKind.PMSUSPENDED;
            case DOMAIN_EVENT_KIND_UNKNOWN -> EventKind.UNKNOWN;
            default -> null;
        };
    }

    static DomainState state(VmState state) {
        return switch (state) {
            case NOSTATE -> DomainState.DOMAIN_STATE_NOSTATE;
            case RUNNING -> DomainState.DOMAIN_STATE_RUNNING;
            case BLOCKED -> DomainState.DOMAIN_STATE_BLOCKED;
            case PAUSED -> DomainState.DOMAIN_STATE_PAUSED;
            case SHUTDOWN -> DomainState.DOMAIN_STATE_SHUTDOWN;
            case SHUTOFF -> DomainState.DOMAIN_STATE_SHUTOFF;
            case CRASHED -> DomainState.DOMAIN_STATE_CRASHED;
            case PMSUSPENDED -> DomainState.DOMAIN_STATE_PMSUSPENDED;
            case UNDEFINED -> DomainState.DOMAIN_STATE_UNDEFINED;
        };
    }

    static SnapshotReason reason(StreamItem.SnapshotReason reason) {
        return switch (reason) {
            case REQUESTED -> SnapshotReason.SNAPSHOT_REASON_REQUESTED;
            case RESUME_POINT_LOST -> SnapshotReason.SNAPSHOT_REASON_RESUME_POINT_LOST;
        };
    }
}
