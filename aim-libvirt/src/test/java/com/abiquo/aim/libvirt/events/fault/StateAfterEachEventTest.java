package com.abiquo.aim.libvirt.events.fault;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.abiquo.aim.libvirt.connection.TestDomains;
import com.abiquo.aim.libvirt.events.grpc.StreamCollector;
import com.abiquo.aim.v1.DomainEvent;
import com.abiquo.aim.v1.DomainRef;
import com.abiquo.aim.v1.EventFilter;
import com.abiquo.aim.v1.EventsMonitorServiceGrpc;
import com.abiquo.aim.v1.ListEventsRequest;
import com.abiquo.aim.v1.SubscribeRequest;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * The state a subscriber sees after each event of a real libvirt connection. The connection only says what libvirt
 * reported (event type and detail); the state after it is the events monitor's, worked out on its one record of
 * domain state. Read both from a live stream and from ListEvents, which must agree.
 */
class StateAfterEachEventTest {
    private static final Duration WAIT = Duration.ofSeconds(60);

    /** What a test does to its freshly defined domain; returns the domain. */
    @FunctionalInterface
    private interface Life {
        org.libvirt.Domain live(org.libvirt.Domain defined) throws org.libvirt.LibvirtException;
    }

    private static final String TEST_DOMAIN = "<domain type='test'><name>%s</name><memory unit='MiB'>64</memory>"
            + "<os><type>hvm</type></os></domain>";

    @Test
    void aDomainsLifeOnLibvirtsTestDriver() throws Exception {
        assertEquals(List.of("CREATED:SHUTOFF", "POWERED_ON:RUNNING", "PAUSED:PAUSED", "POWERED_OFF:SHUTOFF",
                "DESTROYED:UNDEFINED"), statesOfALife("test:///default", "", TEST_DOMAIN, domain -> {
                    domain.create();
                    domain.suspend();
                    domain.destroy();
                    domain.undefine();
                    return domain;
                }, "DESTROYED"));
    }

    @Test
    void aDomainUndefinedWhileRunningRunsOnUntilItStopsAndIsThenGone() throws Exception {
        assertEquals(List.of("CREATED:SHUTOFF", "POWERED_ON:RUNNING", "DESTROYED:RUNNING", "POWERED_OFF:UNDEFINED"),
                statesOfALife("test:///default", "", TEST_DOMAIN, domain -> {
                    domain.create();
                    domain.undefine();
                    domain.destroy();
                    return domain;
                }, "POWERED_OFF"));
    }

    @Test
    @Tag("system")
    void aKvmDomainsLifeOnTheSystemDaemon() throws Exception {
        String type = Files.exists(Path.of("/dev/kvm")) ? "kvm" : "qemu";
        // libvirt 9.0's QEMU driver reports RESUMED right before STARTED, SHUTDOWN right before STOPPED.
        assertEquals(List.of("CREATED:SHUTOFF", "RESUMED:RUNNING", "POWERED_ON:RUNNING", "PAUSED:PAUSED",
                "RESUMED:RUNNING", "SHUTTING_DOWN:SHUTDOWN", "POWERED_OFF:SHUTOFF", "DESTROYED:UNDEFINED"),
                statesOfALife("qemu:///system", "-sys", "<domain type='" + type + "'><name>%s</name><memory "
                        + "unit='MiB'>64</memory><os><type arch='x86_64' machine='pc'>hvm</type></os><devices>"
                        + "<serial type='pty'/></devices></domain>", domain -> {
                            domain.create();
                            domain.suspend();
                            domain.resume();
                            domain.destroy();
                            domain.undefine();
                            return domain;
                        }, "DESTROYED"));
    }

    /** Defines a domain from {@code xml} (%s: its name), lives its life, and returns what a subscriber saw. */
    private static List<String> statesOfALife(String uri, String suffix, String xml, Life life, String lastKind)
            throws Exception {
        String name = "aimtest-state-" + UUID.randomUUID().toString().substring(0, 8) + suffix;
        try (EventsServerHarness aim = EventsServerHarness.libvirt(uri, Map.of())) {
            try {
                StreamCollector client = subscribeByName(aim, name);
                String uuid = aim.connection().call(c -> life.live(c.domainDefineXML(String.format(xml, name)))
                        .getUUIDString());
                return statesOnceDone(aim, client, uuid, lastKind);
            } finally {
                TestDomains.remove(aim.connection(), name);
            }
        }
    }

    private static StreamCollector subscribeByName(EventsServerHarness aim, String name)
            throws InterruptedException {
        StreamCollector client = new StreamCollector();
        aim.stub(aim.channel()).subscribe(SubscribeRequest.newBuilder().setFilter(EventFilter.newBuilder()
                .addDomains(DomainRef.newBuilder().setName(name))).build(), client);
        client.subscriptionId();
        return client;
    }

    /** "KIND:STATE" of the domain's events once the last one arrived, the same on the stream and in ListEvents. */
    private static List<String> statesOnceDone(EventsServerHarness aim, StreamCollector client, String uuid,
                                               String lastKind) throws InterruptedException {
        assertTrue(client.awaitEvents(events -> events.stream().anyMatch(e -> e.getDomainUuid().equals(uuid)
                && e.getKind().name().endsWith(lastKind)), WAIT), "got " + client.events());
        List<String> streamed = kindsAndStates(client.events().stream().filter(e -> e.getDomainUuid().equals(uuid))
                .toList());
        List<String> listed = kindsAndStates(EventsMonitorServiceGrpc.newBlockingStub(aim.channel())
                .listEvents(ListEventsRequest.newBuilder().setFilter(EventFilter.newBuilder()
                        .addDomains(DomainRef.newBuilder().setUuid(uuid))).build()).getEventsList());
        assertEquals(streamed, listed, "ListEvents and the stream");
        return streamed;
    }

    private static List<String> kindsAndStates(List<DomainEvent> events) {
        return events.stream().map(e -> e.getKind().name().replace("DOMAIN_EVENT_KIND_", "") + ":"
                + e.getState().name().replace("DOMAIN_STATE_", "")).toList();
    }
}
