package com.abiquo.aim.server;

import com.abiquo.aim.v1.DefineDomainRequest;
import com.abiquo.aim.v1.DomainEvent;
import com.abiquo.aim.v1.DomainRef;
import com.abiquo.aim.v1.EventsMonitorServiceGrpc;
import com.abiquo.aim.v1.LibvirtServiceGrpc;
import com.abiquo.aim.v1.ListDomainsRequest;
import com.abiquo.aim.v1.ListEventsRequest;
import com.abiquo.aim.v1.ListEventsResponse;
import com.abiquo.aim.v1.PauseDomainRequest;
import com.abiquo.aim.v1.ResumeDomainRequest;
import io.grpc.Grpc;
import io.grpc.InsecureChannelCredentials;
import io.grpc.ManagedChannel;
import io.grpc.health.v1.HealthCheckRequest;
import io.grpc.health.v1.HealthGrpc;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;

/**
 * One run of AIM as a process of its own ({@link AimJvm}) on a given aim.ini, with the calls the event bus tests
 * make: churn domains of libvirt's test driver, list the journal, read a health service.
 */
final class EventBusProcess implements AutoCloseable {
    private final AimJvm aim;
    private final ManagedChannel channel;

    EventBusProcess(Path config) throws Exception {
        aim = AimJvm.start(config, "-Djava.util.logging.manager=org.apache.logging.log4j.jul.LogManager",
                "-Xmx256m");
        channel = Grpc.newChannelBuilderForAddress("127.0.0.1", aim.port(), InsecureChannelCredentials.create())
                .build();
    }

    String output() {
        return aim.output();
    }

    /** Its output so far, a line each. */
    List<String> lines() {
        return aim.lines();
    }

    /** SERVING, NOT_SERVING, ... of a health service name. */
    String health(String service) {
        return HealthGrpc.newBlockingStub(channel).withDeadlineAfter(10, TimeUnit.SECONDS)
                .check(HealthCheckRequest.newBuilder().setService(service).build()).getStatus().name();
    }

    private LibvirtServiceGrpc.LibvirtServiceBlockingStub libvirt() {
        return LibvirtServiceGrpc.newBlockingStub(channel).withDeadlineAfter(30, TimeUnit.SECONDS);
    }

    ManagedChannel channel() {
        return channel;
    }

    void define(String name) {
        libvirt().defineDomain(DefineDomainRequest.newBuilder().setXml("<domain type='test'><name>" + name
                + "</name><memory unit='MiB'>64</memory><os><type>hvm</type></os></domain>").build());
    }

    /** Pauses and resumes the test driver's running domain "test": two events. */
    void pauseAndResume() {
        DomainRef test = DomainRef.newBuilder().setName("test").build();
        libvirt().pauseDomain(PauseDomainRequest.newBuilder().setDomain(test).build());
        libvirt().resumeDomain(ResumeDomainRequest.newBuilder().setDomain(test).build());
    }

    /** The uuids of the domains libvirt lists now. */
    Set<String> domainUuids() {
        Set<String> uuids = new TreeSet<>();
        libvirt().listDomains(ListDomainsRequest.getDefaultInstance()).getDomainsList()
                .forEach(domain -> uuids.add(domain.getUuid()));
        return uuids;
    }

    /** Every event of the journal, through ListEvents. */
    List<DomainEvent> journal() {
        List<DomainEvent> events = new ArrayList<>();
        long after = 0;
        while (true) {
            ListEventsResponse page = EventsMonitorServiceGrpc.newBlockingStub(channel)
                    .withDeadlineAfter(30, TimeUnit.SECONDS).listEvents(ListEventsRequest.newBuilder()
                            .setAfterSequence(after).setMaxEvents(10_000).build());
            events.addAll(page.getEventsList());
            if (page.getEventsCount() == 0 || page.getNextAfterSequence() >= page.getLastSequence()) {
                return events;
            }
            after = page.getNextAfterSequence();
        }
    }

    /** The newest journaled sequence. */
    long lastSequence() {
        return EventsMonitorServiceGrpc.newBlockingStub(channel).withDeadlineAfter(30, TimeUnit.SECONDS)
                .listEvents(ListEventsRequest.newBuilder().setMaxEvents(1).build()).getLastSequence();
    }

    /** SIGKILL, as the kernel's OOM killer or `kill -9` would: returns the exit status. */
    int kill() throws Exception {
        int status = aim.kill();
        channel.shutdownNow();
        return status;
    }

    @Override
    public void close() throws InterruptedException {
        channel.shutdownNow();
        aim.stopOrKill();
    }
}
