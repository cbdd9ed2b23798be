package com.abiquo.aim.client;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.abiquo.aim.testing.Condition;
import com.abiquo.aim.testing.PrivateRedis;
import com.abiquo.aim.testing.Waits;
import com.abiquo.aim.v1.DomainEvent;
import com.abiquo.aim.v1.DomainEventKind;
import com.abiquo.aim.v1.DomainSnapshot;
import com.abiquo.aim.v1.DomainState;
import com.abiquo.aim.v1.EventNode;
import com.google.protobuf.Timestamp;
import java.time.Instant;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import redis.clients.jedis.Jedis;
import redis.clients.jedis.StreamEntryID;
import redis.clients.jedis.args.ClientType;
import redis.clients.jedis.params.ClientKillParams;
import redis.clients.jedis.params.XAddParams;
import redis.clients.jedis.params.XReadGroupParams;

/**
 * StreamEventWatcher against a real redis-server, fed with XADDs in the event bus's exact stream format. Tagged
 * {@code system}: it needs the redis-server scripts/setup installs.
 */
@Tag("system")
class StreamEventWatcherTest {
    private static final String NODE = "node1";
    private static final String KEY = StreamEventWatcher.streamKey(NODE);
    private static final String UUID_A = "11111111-1111-1111-1111-111111111111";
    private static final String UUID_B = "22222222-2222-2222-2222-222222222222";

    private PrivateRedis redis;
    private Jedis feeder;

    @BeforeEach
    void start() throws Exception {
        redis = new PrivateRedis(false).start();
        feeder = redis.client();
    }

    @AfterEach
    void stop() throws Exception {
        feeder.close();
        redis.close();
    }

    /** Records like the gRPC tests' handler; can fail once on a given sequence. */
    static final class Recorder implements DomainEventHandler {
        final List<Long> sequences = new CopyOnWriteArrayList<>();
        final List<DomainSnapshot> deleted = new CopyOnWriteArrayList<>();
        final List<AimClientException> failures = new CopyOnWriteArrayList<>();
        volatile long failOnce = -1;

        @Override
        public void onEvent(DomainEvent event, Map<String, DomainSnapshot> domains) {
            if (event.getSequence() == failOnce) {
                failOnce = -1;
                throw new IllegalStateException("the controller's database is away");
            }
            sequences.add(event.getSequence());
        }

        @Override
        public void onDeleted(DomainSnapshot lastKnown, Map<String, DomainSnapshot> domains) {
            deleted.add(lastKnown);
        }

        @Override
        public void onDisconnected(AimClientException cause, Duration retryIn) {
            failures.add(cause);
        }
    }

    private StreamEventWatcher.Builder watcher(String consumer, Recorder recorder) {
        return StreamEventWatcher.builder("127.0.0.1", redis.port(), KEY, "controller", consumer, recorder)
                .claim(Duration.ofMillis(200), Duration.ofMillis(100)).maxBackoff(Duration.ofMillis(200));
    }

    private void event(long sequence, String uuid, String name, DomainEventKind kind, DomainState state) {
        DomainEvent event = DomainEvent.newBuilder().setSequence(sequence).setTime(Timestamp.newBuilder().setSeconds(Instant.now().getEpochSecond()))
                .setNode(EventNode.newBuilder().setHostname(NODE).setAddress("10.0.0.1:60606"))
                .setDomainUuid(uuid).setDomainName(name).setKind(kind).setState(state)
                .setLibvirtEventType(-1).setLibvirtEventDetail(-1).setLibvirtEvent("RESYNC").build();
        Map<byte[], byte[]> fields = new LinkedHashMap<>();
        put(fields, "type", "event");
        put(fields, "sequence", Long.toString(sequence));
        put(fields, "time", Instant.ofEpochSecond(event.getTime().getSeconds()).toString());
        put(fields, "node", NODE);
        put(fields, "address", "10.0.0.1:60606");
        put(fields, "uuid", uuid);
        put(fields, "name", name);
        put(fields, "kind", kind.name());
        put(fields, "state", state.name());
        put(fields, "libvirt_event", "RESYNC");
        put(fields, "resync", "true");
        fields.put(bytes("event"), event.toByteArray());
        xadd(sequence + "-0", fields);
    }

    private void lostResumePoint(long sequence, List<DomainSnapshot> domains) {
        Map<byte[], byte[]> marker = new LinkedHashMap<>();
        put(marker, "type", "marker");
        put(marker, "reason", "RESUME_POINT_LOST");
        put(marker, "sequence", Long.toString(sequence));
        put(marker, "node", NODE);
        put(marker, "address", "10.0.0.1:60606");
        put(marker, "time", Instant.now().toString());
        put(marker, "domains", Integer.toString(domains.size()));
        xadd(sequence + "-1", marker);
        for (int i = 0; i < domains.size(); i++) {
            Map<byte[], byte[]> entry = new LinkedHashMap<>();
            put(entry, "type", "snapshot");
            put(entry, "sequence", Long.toString(sequence));
            put(entry, "uuid", domains.get(i).getDomainUuid());
            put(entry, "name", domains.get(i).getDomainName());
            put(entry, "state", domains.get(i).getState().name());
            entry.put(bytes("snapshot"), domains.get(i).toByteArray());
            xadd(sequence + "-" + (i + 2), entry);
        }
        Map<byte[], byte[]> end = new LinkedHashMap<>();
        put(end, "type", "snapshot-end");
        put(end, "sequence", Long.toString(sequence));
        xadd(sequence + "-" + (domains.size() + 2), end);
    }

    private void xadd(String id, Map<byte[], byte[]> fields) {
        feeder.xadd(bytes(KEY), XAddParams.xAddParams().id(id), fields);
    }

    private static void put(Map<byte[], byte[]> fields, String key, String value) {
        fields.put(bytes(key), bytes(value));
    }

    private static byte[] bytes(String text) {
        return text.getBytes(StandardCharsets.UTF_8);
    }

    private long pending() {
        return feeder.xpending(KEY, "controller").getTotal();
    }

    private static void await(String what, Condition condition) {
        Waits.await(what, Duration.ofSeconds(30), condition);
    }

    @Test
    void eventsAreHandledInOrderOnceEachAndAcknowledgedAfterTheHandler() throws Exception {
        event(100, UUID_A, "a", DomainEventKind.DOMAIN_EVENT_KIND_CREATED, DomainState.DOMAIN_STATE_SHUTOFF);
        event(101, UUID_A, "a", DomainEventKind.DOMAIN_EVENT_KIND_POWERED_ON, DomainState.DOMAIN_STATE_RUNNING);
        Recorder recorder = new Recorder();
        try (StreamEventWatcher watcher = watcher("c1", recorder).start()) {
            watcher.synced().get(30, TimeUnit.SECONDS);
            event(102, UUID_B, "b", DomainEventKind.DOMAIN_EVENT_KIND_CREATED, DomainState.DOMAIN_STATE_SHUTOFF);
            await("three events", () -> recorder.sequences.size() == 3);
            assertEquals(List.of(100L, 101L, 102L), recorder.sequences);
            assertEquals(DomainState.DOMAIN_STATE_RUNNING, watcher.domains().get(UUID_A).getState());
            assertEquals(2, watcher.domains().size());
            await("all acknowledged", () -> pending() == 0);
        }
    }

    @Test
    void aFailingHandlerLeavesTheEntryPendingAndItComesAgain() throws Exception {
        Recorder recorder = new Recorder();
        recorder.failOnce = 201;
        event(200, UUID_A, "a", DomainEventKind.DOMAIN_EVENT_KIND_CREATED, DomainState.DOMAIN_STATE_SHUTOFF);
        event(201, UUID_A, "a", DomainEventKind.DOMAIN_EVENT_KIND_POWERED_ON, DomainState.DOMAIN_STATE_RUNNING);
        event(202, UUID_A, "a", DomainEventKind.DOMAIN_EVENT_KIND_PAUSED, DomainState.DOMAIN_STATE_PAUSED);
        try (StreamEventWatcher watcher = watcher("c1", recorder).start()) {
            await("all handled", () -> recorder.sequences.size() == 3);
            assertEquals(List.of(200L, 201L, 202L), recorder.sequences);
            assertEquals(io.grpc.Status.Code.ABORTED, recorder.failures.get(0).code());
            await("all acknowledged", () -> pending() == 0);
            assertEquals(DomainState.DOMAIN_STATE_PAUSED, watcher.domains().get(UUID_A).getState());
        }
    }

    @Test
    void aDeadConsumersPendingEntriesAreTakenOverInOrder() throws Exception {
        feeder.xgroupCreate(KEY, "controller", new StreamEntryID(0, 0), true);
        for (long sequence = 300; sequence < 305; sequence++) {
            event(sequence, UUID_A, "a", DomainEventKind.DOMAIN_EVENT_KIND_PAUSED, DomainState.DOMAIN_STATE_PAUSED);
        }
        // consumer "dead" reads three entries and dies before acknowledging them
        feeder.xreadGroup("controller", "dead", XReadGroupParams.xReadGroupParams().count(3),
                Map.of(KEY, StreamEntryID.XREADGROUP_UNDELIVERED_ENTRY));
        assertEquals(3, pending());
        Recorder recorder = new Recorder();
        try (StreamEventWatcher watcher = watcher("alive", recorder).start()) {
            await("the five events", () -> recorder.sequences.size() == 5);
            assertEquals(List.of(300L, 301L, 302L, 303L, 304L), recorder.sequences, "the taken-over ones first");
            await("the dead consumer's entries acknowledged", () -> pending() == 0);
        }
    }

    @Test
    void anEventAlreadyHandledIsNotHandledAgain() throws Exception {
        for (long sequence = 400; sequence < 405; sequence++) {
            event(sequence, UUID_A, "a", DomainEventKind.DOMAIN_EVENT_KIND_PAUSED, DomainState.DOMAIN_STATE_PAUSED);
        }
        SequenceStore store = SequenceStore.inMemory();
        store.save(402); // a controller that handled up to 402, whose group was lost (Redis restored from a copy)
        Recorder recorder = new Recorder();
        try (StreamEventWatcher watcher = watcher("c1", recorder).sequenceStore(store).start()) {
            watcher.synced().get(30, TimeUnit.SECONDS);
            await("acknowledged", () -> pending() == 0);
            assertEquals(List.of(403L, 404L), recorder.sequences);
            assertEquals(OptionalLong.of(404), store.load());
        }
    }

    @Test
    void aLostResumePointMarkerReplacesTheCacheAndReportsVanishedDomains() throws Exception {
        event(500, UUID_A, "a", DomainEventKind.DOMAIN_EVENT_KIND_CREATED, DomainState.DOMAIN_STATE_SHUTOFF);
        event(501, UUID_B, "b", DomainEventKind.DOMAIN_EVENT_KIND_CREATED, DomainState.DOMAIN_STATE_SHUTOFF);
        Recorder recorder = new Recorder();
        try (StreamEventWatcher watcher = watcher("c1", recorder).start()) {
            await("both known", () -> watcher.domains().size() == 2);
            lostResumePoint(900, List.of(DomainSnapshot.newBuilder().setDomainUuid(UUID_A).setDomainName("a")
                    .setState(DomainState.DOMAIN_STATE_RUNNING).build()));
            event(901, UUID_A, "a", DomainEventKind.DOMAIN_EVENT_KIND_PAUSED, DomainState.DOMAIN_STATE_PAUSED);
            await("901 handled", () -> recorder.sequences.contains(901L));
            assertEquals(List.of(UUID_B), recorder.deleted.stream().map(DomainSnapshot::getDomainUuid).toList());
            assertEquals(Map.of(UUID_A, DomainState.DOMAIN_STATE_PAUSED), Map.of(UUID_A,
                    watcher.domains().get(UUID_A).getState()));
            assertEquals(1, watcher.domains().size());
            await("marker and snapshot acknowledged", () -> pending() == 0);
        }
    }

    @Test
    void aKilledRedisConnectionIsReopenedWithoutLoss() throws Exception {
        Recorder recorder = new Recorder();
        try (StreamEventWatcher watcher = watcher("c1", recorder).start()) {
            event(600, UUID_A, "a", DomainEventKind.DOMAIN_EVENT_KIND_CREATED, DomainState.DOMAIN_STATE_SHUTOFF);
            await("600", () -> recorder.sequences.contains(600L));
            try (Jedis killer = redis.client()) {
                killer.clientKill(new ClientKillParams().type(ClientType.NORMAL));
            } catch (RuntimeException killedItself) {
                // the killer's own connection goes too
            }
            feeder.close();
            feeder = redis.client();
            event(601, UUID_A, "a", DomainEventKind.DOMAIN_EVENT_KIND_POWERED_ON, DomainState.DOMAIN_STATE_RUNNING);
            await("601 after the connection was killed", () -> recorder.sequences.contains(601L));
            assertEquals(List.of(600L, 601L), recorder.sequences);
            assertEquals(io.grpc.Status.Code.UNAVAILABLE, recorder.failures.get(0).code(), "the cut was seen");
        }
    }
}
