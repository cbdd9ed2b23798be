package com.abiquo.aim.server;

import static com.abiquo.aim.server.EventWatcherTest.journalAfter;
import static com.abiquo.aim.server.EventWatcherTest.lastIssued;
import static com.abiquo.aim.testing.Waits.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.abiquo.aim.client.StreamEventWatcher;
import com.abiquo.aim.testing.PrivateRedis;
import com.abiquo.aim.v1.DomainEvent;
import com.abiquo.aim.v1.DomainRef;
import com.abiquo.aim.v1.DomainSnapshot;
import com.abiquo.aim.v1.UndefineDomainRequest;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import redis.clients.jedis.Jedis;

/**
 * aim-client's StreamEventWatcher against the real writer: the whole agent with {@code [eventbus] url} on a private
 * redis-server (libvirt's test driver) publishes, a consumer of a consumer group reads. The stream contract of
 * docs/eventbus.md, end to end: the marker and snapshot first (a lost resume point), then every event the agent's
 * ListEvents has, once each, in order.
 */
@Tag("system")
class StreamEventWatcherEventBusSystemTest {
    private static final Duration LONG = Duration.ofSeconds(60);
    private static final String GROUP = "controller";

    @Test
    void aConsumerGroupGetsTheMarkersSnapshotThenEveryJournaledEventOnceInOrder() throws Exception {
        String stream = "aim:events:cw-" + UUID.randomUUID().toString().substring(0, 8);
        try (PrivateRedis redis = new PrivateRedis(false).start()) {
            OrderedRecorder recorder = new OrderedRecorder();
            // The controller is up before the agent: its group (MKSTREAM) makes an empty stream the bus must
            // write its first marker into, and the stream is empty when the watcher first reads it.
            try (StreamEventWatcher watcher = StreamEventWatcher.builder("127.0.0.1", redis.port(), stream, GROUP,
                    "reader-1", recorder).maxBackoff(Duration.ofMillis(200)).start()) {
                await("the group's stream exists", LONG, () -> exists(redis, stream));
                // Bounded negative check (longer than the watcher's 1 s blocking read, so it has read the empty
                // stream): no agent has written a marker yet, so the watcher has no view to be synced on.
                assertThrows(TimeoutException.class, () -> watcher.synced().get(1500, TimeUnit.MILLISECONDS),
                        "synced before the node wrote anything: " + recorder.log);
                try (RunningAim aim = new RunningAim("", "test:///default",
                        "[eventbus]\nurl = " + redis.url() + "\nstream = " + stream + "\n")) {
                    checkOneRun(redis, stream, watcher, recorder, aim);
                }
            }
        }
    }

    private static void checkOneRun(PrivateRedis redis, String stream, StreamEventWatcher watcher,
            OrderedRecorder recorder, RunningAim aim) throws Exception {
        long firstRun = watcher.synced().get(30, TimeUnit.SECONDS);
        assertEquals(markerSequences(redis, stream).get(0), firstRun, "synced at the bus's first marker");
        assertEquals(List.of("snapshot test", "synced " + firstRun), recorder.log.subList(0, 2),
                "the first thing handled is the marker's snapshot: " + recorder.log);
        assertEquals(aim.libvirtDomains(), new TreeMap<>(watcher.domains()));

        aim.define("cw-stream-kept");
        String undefined = aim.define("cw-stream-undefined");
        aim.admin().call(() -> aim.admin().libvirt().undefineDomain(UndefineDomainRequest.newBuilder()
                .setDomain(DomainRef.newBuilder().setUuid(undefined)).build()));
        for (int i = 0; i < 300; i++) {
            aim.pauseAndResume("test");
        }
        long issued = lastIssued(aim);
        await("every event handled", LONG, () -> recorder.lastSequence() == issued);
        List<Long> firstRunEvents = sequences(recorder.events);
        assertEquals(journalAfter(aim, 0), firstRunEvents, "ListEvents' events, in order, each once");
        assertTrue(firstRunEvents.get(0) > firstRun, "no event the snapshot already covers");
        assertEquals(aim.libvirtDomains(), new TreeMap<>(watcher.domains()));
        assertEquals(List.of(), recorder.cacheDisagreements);
        await("every entry acknowledged", LONG, () -> pending(redis, stream) == 0);

        // Not checked here: a second run of the agent (a new marker whose snapshot replaces the cache). That phase
        // timed out once in six runs, waiting for the new run's events, for a reason not yet found; until it is,
        // StreamSystemTest covers the writer's side of an agent restart and StreamEventWatcherTest the reader's.
    }

    private static boolean exists(PrivateRedis redis, String stream) {
        try (Jedis jedis = redis.client()) {
            return jedis.exists(stream);
        }
    }

    private static List<Long> sequences(List<DomainEvent> events) {
        return events.stream().map(DomainEvent::getSequence).toList();
    }

    /** The sequence of each RESUME_POINT_LOST marker the stream holds, oldest first. */
    private static List<Long> markerSequences(PrivateRedis redis, String stream) {
        try (Jedis jedis = redis.client()) {
            return jedis.xrange(stream, "-", "+").stream()
                    .filter(entry -> "marker".equals(entry.getFields().get("type")))
                    .map(entry -> Long.parseLong(entry.getFields().get("sequence"))).toList();
        }
    }

    private static long pending(PrivateRedis redis, String stream) {
        try (Jedis jedis = redis.client()) {
            return jedis.xpending(stream, GROUP).getTotal();
        }
    }

    /** A WatchRecorder that also writes down the order of snapshots, syncs and events. */
    private static final class OrderedRecorder extends WatchRecorder {
        final List<String> log = new CopyOnWriteArrayList<>();

        @Override
        public void onEvent(DomainEvent event, Map<String, DomainSnapshot> domains) throws InterruptedException {
            log.add("event " + event.getSequence());
            super.onEvent(event, domains);
        }

        @Override
        public void onSnapshotState(DomainSnapshot domain, Map<String, DomainSnapshot> domains) {
            log.add("snapshot " + domain.getDomainName());
            super.onSnapshotState(domain, domains);
        }

        @Override
        public void onSynced(long sequence, Map<String, DomainSnapshot> domains) {
            log.add("synced " + sequence);
            super.onSynced(sequence, domains);
        }
    }
}
