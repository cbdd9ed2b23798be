package com.abiquo.aim.libvirt.events.grpc;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.abiquo.aim.libvirt.connection.TestDomains;
import com.abiquo.aim.core.config.AimSettings;
import com.abiquo.aim.core.error.AimException;
import com.abiquo.aim.core.module.ModuleContext;
import com.abiquo.aim.core.module.NodeIdentity;
import com.abiquo.aim.core.module.ServiceRegistry;
import com.abiquo.aim.libvirt.connection.ConnectionSettings;
import com.abiquo.aim.libvirt.connection.DomainEventSource;
import com.abiquo.aim.libvirt.connection.LibvirtConnection;
import com.abiquo.aim.libvirt.events.EventsMonitorModule;
import com.abiquo.aim.testing.RecordingHealth;
import com.abiquo.aim.testing.Waits;
import com.abiquo.aim.v1.DomainEvent;
import com.abiquo.aim.v1.DomainEventKind;
import com.abiquo.aim.v1.DomainRef;
import com.abiquo.aim.v1.DomainState;
import com.abiquo.aim.v1.EventFilter;
import com.abiquo.aim.v1.EventsMonitorServiceGrpc;
import com.abiquo.aim.v1.ListEventsRequest;
import com.abiquo.aim.v1.ListEventsResponse;
import com.abiquo.aim.v1.ModifySubscriptionRequest;
import com.abiquo.aim.v1.ModifySubscriptionResponse;
import com.abiquo.aim.v1.SnapshotReason;
import com.abiquo.aim.v1.SubscribeRequest;
import com.abiquo.aim.v1.SubscribeResponse;
import com.abiquo.aim.v1.UnsubscribeRequest;
import com.google.rpc.ErrorInfo;
import io.grpc.ManagedChannel;
import io.grpc.Server;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.inprocess.InProcessChannelBuilder;
import io.grpc.inprocess.InProcessServerBuilder;
import io.grpc.protobuf.StatusProto;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.stream.LongStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The EventsMonitor service through a real gRPC stub (in-process transport) on the real libvirt connection, against
 * libvirt's in-process test driver.
 */
class EventsMonitorGrpcTest {
    private static final Duration WAIT = Duration.ofSeconds(10);
    private static final String SERVICE = "abiquo.aim.v1.EventsMonitorService";

    private final String prefix = "aimtest-ev-" + UUID.randomUUID().toString().substring(0, 8) + "-";
    private final RecordingHealth health = new RecordingHealth();
    private final ExecutorService requests = Executors.newFixedThreadPool(4);
    private final ScheduledExecutorService scheduler = Executors.newSingleThreadScheduledExecutor();
    private final List<String> created = new ArrayList<>();
    private LibvirtConnection connection;
    private EventsMonitorModule module;
    private Server server;
    private ManagedChannel channel;

    private EventsMonitorServiceGrpc.EventsMonitorServiceStub start(Map<String, String> monitorSettings,
                                                                    boolean withSource) throws Exception {
        ServiceRegistry registry = new ServiceRegistry();
        if (withSource) {
            connection = new LibvirtConnection(ConnectionSettings.of("test:///default"), health);
            connection.start(Duration.ofSeconds(10));
            registry.publish(DomainEventSource.class, connection);
        }
        AimSettings settings = new AimSettings("test", Map.of("monitor", monitorSettings));
        module = new EventsMonitorModule();
        module.start(new ModuleContext(settings, Path.of("."), requests, scheduler, health, registry,
                new NodeIdentity("node-1", "192.0.2.10")));
        String name = "events-" + UUID.randomUUID();
        InProcessServerBuilder builder = InProcessServerBuilder.forName(name);
        module.services().forEach(builder::addService);
        server = builder.build().start();
        channel = InProcessChannelBuilder.forName(name).build();
        if (withSource) {
            Waits.await(SERVICE + " SERVING", WAIT, () -> "SERVING".equals(health.status(SERVICE)));
            assertEquals("SERVING", health.status(SERVICE));
        }
        return EventsMonitorServiceGrpc.newStub(channel);
    }

    @AfterEach
    void tearDown() throws Exception {
        if (channel != null) {
            channel.shutdownNow();
        }
        if (module != null) {
            module.stop();
        }
        if (server != null) {
            server.shutdownNow();
        }
        if (connection != null) {
            created.forEach(name -> TestDomains.remove(connection, name));
            connection.close();
        }
        requests.shutdownNow();
        scheduler.shutdownNow();
    }

    private String define(String suffix) throws AimException {
        String name = prefix + suffix;
        created.add(name);
        return connection.call(c -> c.domainDefineXML("<domain type='test'><name>" + name + "</name>"
                + "<memory unit='MiB'>64</memory><os><type>hvm</type></os></domain>").getUUIDString());
    }

    private void act(String name, String action) throws AimException {
        connection.call(c -> {
            var domain = c.domainLookupByName(name);
            switch (action) {
                case "start" -> domain.create();
                case "pause" -> domain.suspend();
                case "resume" -> domain.resume();
                case "destroy" -> domain.destroy();
                case "undefine" -> domain.undefine();
                default -> throw new IllegalArgumentException(action);
            }
            return null;
        });
    }

    /** Waits until the monitor has journaled an event of the domain (events arrive asynchronously). */
    private void awaitJournaled(String uuid) {
        Journaled.awaitEventOf(channel, uuid, WAIT);
    }

    private static List<String> describe(List<DomainEvent> events) {
        return events.stream().map(e -> e.getKind().name().replace("DOMAIN_EVENT_KIND_", "") + ":"
                + e.getState().name().replace("DOMAIN_STATE_", "")).toList();
    }

    @Test
    void aDomainsLifeReachesTheSubscriberWithSnapshotFirst() throws Exception {
        var stub = start(Map.of(), true);
        String uuid = define("life");
        awaitJournaled(uuid);
        StreamCollector client = new StreamCollector();
        stub.subscribe(SubscribeRequest.newBuilder().setIncludeSnapshot(true).build(), client);
        assertTrue(client.awaitMessages(m -> m.stream().anyMatch(SubscribeResponse::hasSnapshotEnd), WAIT));
        SubscribeResponse first = client.messages.get(0);
        assertTrue(first.hasStarted());
        assertEquals("node-1", first.getStarted().getNode().getHostname());
        assertTrue(first.getStarted().getSourceConnected());
        assertEquals(SnapshotReason.SNAPSHOT_REASON_REQUESTED, client.messages.get(1).getSnapshotStart().getReason());
        assertTrue(client.messages.stream().anyMatch(m -> m.hasSnapshotDomain()
                && m.getSnapshotDomain().getDomainUuid().equals(uuid)
                && m.getSnapshotDomain().getState() == DomainState.DOMAIN_STATE_SHUTOFF), "the defined domain");

        String name = prefix + "life";
        for (String action : List.of("start", "pause", "resume", "destroy", "undefine")) {
            act(name, action);
        }
        assertTrue(client.awaitEvents(events -> events.size() >= 5, WAIT), "got " + client.events());
        List<DomainEvent> mine = client.events().stream().filter(e -> e.getDomainUuid().equals(uuid)).toList();
        assertEquals(List.of("POWERED_ON:RUNNING", "PAUSED:PAUSED", "RESUMED:RUNNING", "POWERED_OFF:SHUTOFF",
                "DESTROYED:UNDEFINED"), describe(mine));
        DomainEvent poweredOff = mine.get(3);
        assertEquals(5, poweredOff.getLibvirtEventType());
        assertEquals("STOPPED/DESTROYED", poweredOff.getLibvirtEvent());
        assertEquals(name, poweredOff.getDomainName());
        assertEquals("192.0.2.10", poweredOff.getNode().getAddress());
        assertFalse(poweredOff.getResync());
        assertTrue(poweredOff.getTime().getSeconds() > 1_700_000_000L);
        long firstSequence = mine.get(0).getSequence();
        assertEquals(LongStream.range(firstSequence, firstSequence + 5).boxed().toList(),
                mine.stream().map(DomainEvent::getSequence).toList(), "consecutive: nobody else acted");
        SubscribeResponse snapshotEnd = client.messages.stream().filter(SubscribeResponse::hasSnapshotEnd)
                .findFirst().orElseThrow();
        assertEquals(snapshotEnd.getSnapshotEnd().getAsOfSequence() + 1, firstSequence);
        client.cancel();
    }

    @Test
    void filtersModifyAndUnsubscribeFromTheClientsSide() throws Exception {
        var stub = start(Map.of(), true);
        var blocking = EventsMonitorServiceGrpc.newBlockingStub(channel);
        String a = define("a");
        String b = define("b");
        StreamCollector client = new StreamCollector();
        stub.subscribe(SubscribeRequest.newBuilder().setFilter(EventFilter.newBuilder()
                .addDomains(DomainRef.newBuilder().setUuid(a.toUpperCase()))
                .addKinds(DomainEventKind.DOMAIN_EVENT_KIND_POWERED_ON)
                .addKinds(DomainEventKind.DOMAIN_EVENT_KIND_POWERED_OFF)).build(), client);
        String id = client.subscriptionId();
        act(prefix + "a", "start");
        act(prefix + "a", "pause");
        act(prefix + "b", "start");
        act(prefix + "a", "destroy");
        assertTrue(client.awaitEvents(events -> events.size() == 2, WAIT), "got " + client.events());
        assertEquals(List.of("POWERED_ON:RUNNING", "POWERED_OFF:SHUTOFF"), describe(client.events()));

        ModifySubscriptionResponse modified = blocking.modifySubscription(ModifySubscriptionRequest.newBuilder()
                .setSubscriptionId(id).addAddDomains(DomainRef.newBuilder().setName(prefix + "b"))
                .setIncludeSnapshot(true).build());
        assertEquals(2, modified.getFilter().getDomainsCount());
        act(prefix + "b", "destroy");
        assertTrue(client.awaitEvents(events -> events.size() == 3, WAIT), "got " + client.events());
        assertEquals(b, client.events().get(2).getDomainUuid());
        assertTrue(client.messages.stream().anyMatch(m -> m.hasSnapshotDomain()
                && m.getSnapshotDomain().getDomainUuid().equals(b)
                && m.getSnapshotDomain().getState() == DomainState.DOMAIN_STATE_RUNNING));

        long last = blocking.unsubscribe(UnsubscribeRequest.newBuilder().setSubscriptionId(id).build())
                .getLastSentSequence();
        assertEquals(Status.Code.OK, client.awaitStatus(WAIT).getCode(), "the stream completes normally");
        assertEquals(client.events().get(2).getSequence(), last);
        StatusRuntimeException again = assertThrows(StatusRuntimeException.class, () -> blocking.unsubscribe(
                UnsubscribeRequest.newBuilder().setSubscriptionId(id).build()));
        assertEquals(Status.Code.NOT_FOUND, again.getStatus().getCode());

        ListEventsResponse listed = blocking.listEvents(ListEventsRequest.newBuilder().setFilter(
                EventFilter.newBuilder().addDomains(DomainRef.newBuilder().setUuid(a))).build());
        assertEquals(List.of("POWERED_ON:RUNNING", "PAUSED:PAUSED", "POWERED_OFF:SHUTOFF"),
                describe(listed.getEventsList()).subList(describe(listed.getEventsList()).size() - 3,
                        listed.getEventsCount()));
        assertTrue(listed.getLastSequence() >= listed.getNextAfterSequence());
    }

    @Test
    void domainsWithoutADefinitionAreGoneOnceTheyStop() throws Exception {
        var stub = start(Map.of(), true);
        String undefined = define("undefined");
        awaitJournaled(undefined); // or its DEFINED event may reach the subscription opened next
        StreamCollector client = new StreamCollector();
        stub.subscribe(SubscribeRequest.getDefaultInstance(), client);
        client.subscriptionId();
        act(prefix + "undefined", "start");
        act(prefix + "undefined", "undefine"); // it runs on without a definition
        act(prefix + "undefined", "destroy");
        created.add(prefix + "created");
        String createdUuid = connection.call(c -> c.domainCreateXML("<domain type='test'><name>" + prefix
                + "created</name><memory unit='MiB'>64</memory><os><type>hvm</type></os></domain>", 0)
                .getUUIDString());
        act(prefix + "created", "destroy");
        List<String> uuids = List.of(undefined, createdUuid);
        assertTrue(client.awaitEvents(events -> events.stream().filter(e -> uuids.contains(e.getDomainUuid()))
                .count() == 5, WAIT), "got " + client.events());
        assertEquals(List.of("POWERED_ON:RUNNING", "DESTROYED:RUNNING", "POWERED_OFF:UNDEFINED", "POWERED_ON:RUNNING",
                "POWERED_OFF:UNDEFINED"), describe(client.events().stream()
                .filter(e -> uuids.contains(e.getDomainUuid())).toList()));

        StreamCollector late = new StreamCollector();
        stub.subscribe(SubscribeRequest.newBuilder().setIncludeSnapshot(true).build(), late);
        assertTrue(late.awaitMessages(m -> m.stream().anyMatch(SubscribeResponse::hasSnapshotEnd), WAIT));
        assertFalse(late.messages.stream().anyMatch(m -> m.hasSnapshotDomain()
                && uuids.contains(m.getSnapshotDomain().getDomainUuid())), "no ghost in the snapshot");
        client.cancel();
        late.cancel();
    }

    @Test
    void badRequestsGetPreciseStatusesAndTheServiceKeepsServing() throws Exception {
        var stub = start(Map.of(), true);
        var blocking = EventsMonitorServiceGrpc.newBlockingStub(channel);
        List<SubscribeRequest> bad = List.of(
                SubscribeRequest.newBuilder().setFilter(EventFilter.newBuilder().setAllDomains(true)
                        .addDomains(DomainRef.newBuilder().setName("x"))).build(),
                SubscribeRequest.newBuilder().setFilter(EventFilter.newBuilder()
                        .addDomains(DomainRef.newBuilder())).build(),
                SubscribeRequest.newBuilder().setFilter(EventFilter.newBuilder()
                        .addDomains(DomainRef.newBuilder().setUuid("not-a-uuid"))).build(),
                SubscribeRequest.newBuilder().setFilter(EventFilter.newBuilder()
                        .addDomains(DomainRef.newBuilder().setName(" "))).build(),
                SubscribeRequest.newBuilder().setFilter(EventFilter.newBuilder().setAllDomains(true)
                        .addKindsValue(99)).build(),
                SubscribeRequest.newBuilder().setFilter(EventFilter.newBuilder().setAllDomains(true)
                        .addKinds(DomainEventKind.DOMAIN_EVENT_KIND_UNSPECIFIED)).build());
        for (SubscribeRequest request : bad) {
            StreamCollector client = new StreamCollector();
            stub.subscribe(request, client);
            Status status = client.awaitStatus(WAIT);
            assertEquals(Status.Code.INVALID_ARGUMENT, status.getCode(), request.toString());
            assertTrue(status.getDescription().startsWith("filter"), status.getDescription());
        }
        StatusRuntimeException tooMany = assertThrows(StatusRuntimeException.class, () -> blocking.listEvents(
                ListEventsRequest.newBuilder().setMaxEvents(20_000).build()));
        assertEquals(Status.Code.INVALID_ARGUMENT, tooMany.getStatus().getCode());
        ErrorInfo info = StatusProto.fromThrowable(tooMany).getDetails(0).unpack(ErrorInfo.class);
        assertEquals("max_events", info.getMetadataOrThrow("field"));
        StatusRuntimeException noId = assertThrows(StatusRuntimeException.class, () -> blocking.modifySubscription(
                ModifySubscriptionRequest.newBuilder().build()));
        assertEquals(Status.Code.INVALID_ARGUMENT, noId.getStatus().getCode());
        StatusRuntimeException unknown = assertThrows(StatusRuntimeException.class, () -> blocking
                .modifySubscription(ModifySubscriptionRequest.newBuilder().setSubscriptionId("nope").build()));
        assertEquals(Status.Code.NOT_FOUND, unknown.getStatus().getCode());
        // an id no subscription can have (a NUL byte, or far longer than the UUIDs AIM issues) is the request's error
        for (String impossible : List.of("abc\0def", "x".repeat(129))) {
            StatusRuntimeException malformed = assertThrows(StatusRuntimeException.class, () -> blocking
                    .modifySubscription(ModifySubscriptionRequest.newBuilder().setSubscriptionId(impossible).build()));
            assertEquals(Status.Code.INVALID_ARGUMENT, malformed.getStatus().getCode());
            assertEquals("subscription_id", StatusProto.fromThrowable(malformed).getDetails(0)
                    .unpack(ErrorInfo.class).getMetadataOrThrow("field"));
        }
        // a filter names domains as the Libvirt service does: a name it refuses (too long, '/') is refused here too
        for (String name : List.of("d".repeat(256), "a/b")) {
            StreamCollector badName = new StreamCollector();
            stub.subscribe(SubscribeRequest.newBuilder().setFilter(EventFilter.newBuilder()
                    .addDomains(DomainRef.newBuilder().setName(name))).build(), badName);
            Status refused = badName.awaitStatus(WAIT);
            assertEquals(Status.Code.INVALID_ARGUMENT, refused.getCode());
            assertTrue(refused.getDescription().contains("is not a domain name"), refused.getDescription());
        }
        var hugeFilter = EventFilter.newBuilder();
        for (int i = 0; i < 10_001; i++) {
            hugeFilter.addDomains(DomainRef.newBuilder().setName("d" + i));
        }
        StreamCollector huge = new StreamCollector();
        stub.subscribe(SubscribeRequest.newBuilder().setFilter(hugeFilter).build(), huge);
        assertEquals(Status.Code.INVALID_ARGUMENT, huge.awaitStatus(WAIT).getCode());

        StreamCollector neverIssued = new StreamCollector();
        stub.subscribe(SubscribeRequest.newBuilder().setResumeAfterSequence(-1L).build(), neverIssued);   // 2^64-1
        Status resumeStatus = neverIssued.awaitStatus(WAIT);
        assertEquals(Status.Code.INVALID_ARGUMENT, resumeStatus.getCode());
        assertTrue(resumeStatus.getDescription().startsWith("resume_after_sequence 18446744073709551615"),
                resumeStatus.getDescription());
        StatusRuntimeException listed = assertThrows(StatusRuntimeException.class, () -> blocking.listEvents(
                ListEventsRequest.newBuilder().setAfterSequence(Long.MIN_VALUE).build()));
        assertEquals(Status.Code.INVALID_ARGUMENT, listed.getStatus().getCode());

        StreamCollector fine = new StreamCollector();
        stub.subscribe(SubscribeRequest.getDefaultInstance(), fine);
        fine.subscriptionId(); // open before the event, or the event may come before it (a live subscription)
        define("after-errors");
        assertTrue(fine.awaitEvents(events -> events.size() == 1, WAIT), "still serving");
    }

    @Test
    void aStalledClientIsCutOffWithResourceExhaustedAndResumesWithoutLoss() throws Exception {
        var stub = start(Map.of("subscriberBufferSize", "10"), true);
        StreamCollector stalled = new StreamCollector(1);
        // The in-process transport is ready only while the client has requested messages (Netty: 32 KiB of window);
        // a client that reads promptly keeps a window open.
        StreamCollector healthy = new StreamCollector(100_000);
        stub.subscribe(SubscribeRequest.getDefaultInstance(), stalled);
        stub.subscribe(SubscribeRequest.getDefaultInstance(), healthy);
        stalled.subscriptionId();
        healthy.subscriptionId();
        String name = prefix + "churn";
        define("churn");
        for (int i = 0; i < 15; i++) {
            act(name, "start");
            act(name, "destroy");
        }
        assertTrue(healthy.awaitEvents(events -> events.size() == 31, WAIT), "got " + healthy.events().size());
        // Over its buffer and taking nothing for the stall grace (1 s): cut off on the server side.
        Waits.await("the stalled subscriber removed", WAIT, () -> module.monitor().subscriberCount() <= 1);
        assertEquals(1, module.monitor().subscriberCount(), "only the healthy subscriber is left");
        stalled.request(1_000);
        Status status = stalled.awaitStatus(WAIT);
        assertEquals(Status.Code.RESOURCE_EXHAUSTED, status.getCode());
        assertTrue(status.getDescription().contains("resume_after_sequence"), status.getDescription());
        long resumeAfter = stalled.events().isEmpty() ? healthy.events().get(0).getSequence() - 1
                : stalled.events().get(stalled.events().size() - 1).getSequence();
        StreamCollector resumed = new StreamCollector();
        stub.subscribe(SubscribeRequest.newBuilder().setResumeAfterSequence(resumeAfter).build(), resumed);
        assertTrue(resumed.awaitMessages(m -> !m.isEmpty(), WAIT));
        assertTrue(resumed.messages.get(0).getStarted().getResumed());
        List<Long> all = new ArrayList<>(stalled.events().stream().map(DomainEvent::getSequence).toList());
        assertTrue(resumed.awaitEvents(events -> all.size() + events.size() >= 31, WAIT));
        all.addAll(resumed.events().stream().map(DomainEvent::getSequence).toList());
        assertEquals(healthy.events().stream().map(DomainEvent::getSequence).toList(), all,
                "what the stalled client got plus what it resumed = everything, once");
    }

    @Test
    void withoutALibvirtConnectionTheServiceIsUnavailableAndNotServing() throws Exception {
        var stub = start(Map.of(), false);
        StreamCollector client = new StreamCollector();
        stub.subscribe(SubscribeRequest.getDefaultInstance(), client);
        Status status = client.awaitStatus(WAIT);
        assertEquals(Status.Code.UNAVAILABLE, status.getCode());
        assertTrue(health.status(SERVICE).startsWith("NOT_SERVING"), health.status(SERVICE));
    }

    @Test
    void stoppingTheModuleEndsStreamsWithUnavailable() throws Exception {
        var stub = start(Map.of(), true);
        StreamCollector client = new StreamCollector();
        stub.subscribe(SubscribeRequest.getDefaultInstance(), client);
        client.subscriptionId();
        module.stop();
        Status status = client.awaitStatus(WAIT);
        assertEquals(Status.Code.UNAVAILABLE, status.getCode());
        module = null;
    }
}
