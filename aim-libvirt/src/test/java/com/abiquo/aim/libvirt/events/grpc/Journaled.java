package com.abiquo.aim.libvirt.events.grpc;

import com.abiquo.aim.testing.Waits;
import com.abiquo.aim.v1.DomainRef;
import com.abiquo.aim.v1.EventFilter;
import com.abiquo.aim.v1.EventsMonitorServiceGrpc;
import com.abiquo.aim.v1.ListEventsRequest;
import io.grpc.Channel;
import java.time.Duration;

/** Waits on the events journal as a client reads it, with ListEvents. */
public final class Journaled {
    private Journaled() {
    }

    /**
     * Waits until an event of the domain is in the journal. libvirt reports events asynchronously: the DEFINED event
     * of a domain defined just before may otherwise reach a subscription opened next.
     */
    public static void awaitEventOf(Channel channel, String uuid, Duration timeout) {
        var blocking = EventsMonitorServiceGrpc.newBlockingStub(channel);
        ListEventsRequest ofTheDomain = ListEventsRequest.newBuilder().setFilter(EventFilter.newBuilder()
                .addDomains(DomainRef.newBuilder().setUuid(uuid))).build();
        Waits.await("an event of " + uuid + " journaled", timeout, Duration.ofMillis(5),
                () -> blocking.listEvents(ofTheDomain).getEventsCount() > 0);
    }
}
