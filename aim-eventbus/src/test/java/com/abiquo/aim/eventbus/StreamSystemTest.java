package com.abiquo.aim.eventbus;

import static com.abiquo.aim.testing.Waits.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.abiquo.aim.core.spi.EventFeed;
import com.abiquo.aim.eventbus.fixture.AimNode;
import com.abiquo.aim.eventbus.fixture.Churn;
import com.abiquo.aim.testing.StreamReader;
import com.abiquo.aim.testing.StreamReader.Entry;
import com.abiquo.aim.testing.PrivateRedis;
import com.abiquo.aim.v1.DomainEvent;
import com.abiquo.aim.v1.DomainSnapshot;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import redis.clients.jedis.Jedis;

/**
 * The Redis Streams bus against a real redis-server: the stream holds exactly the journal, through a Redis SIGKILL
 * with an AOF restart, a 5 s SIGSTOP freeze and an agent restart.
 */
@Tag("system")
class StreamSystemTest {
    private static final Duration WAIT = Duration.ofSeconds(60);
    private final String host = "node-" + UUID.randomUUID().toString().substring(0, 8);
    private final String key = "aim:events:" + host;

    private AimNode node(PrivateRedis redis) throws Exception {
        return new AimNode(Map.of("eventbus", Map.of("url", redis.url())), host);
    }

    private static boolean caughtUp(Jedis jedis, String key, EventFeed feed) {
        List<Entry> entries = StreamReader.all(jedis, key);
        return !entries.isEmpty() && entries.get(entries.size() - 1).idMillis() == feed.newestSequence();
    }

    /** libvirt reports events a moment after the call that caused them: wait until all are journaled. */
    private static void awaitJournaled(EventFeed feed, long sequence) throws Exception {
        await("the journal reaches sequence " + sequence, WAIT, () -> feed.newestSequence() >= sequence);
    }

    private static List<Entry> events(List<Entry> entries) {
        return entries.stream().filter(entry -> entry.type().equals("event")).toList();
    }

    private static List<Entry> markers(List<Entry> entries) {
        return entries.stream().filter(entry -> entry.type().equals("marker")).toList();
    }

    @Test
    void theStreamStartsWithAMarkerAndSnapshotThenHoldsEveryJournaledEventInOrder() throws Exception {
        try (PrivateRedis redis = new PrivateRedis(false).start(); AimNode node = node(redis);
             Jedis jedis = redis.client()) {
            await("EventBus SERVING", WAIT, () -> node.health(EventBusModule.STREAM_SERVICE).equals("SERVING"));
            long before = node.feed().newestSequence();
            Churn churn = new Churn(node.libvirt(), host + "-first", 3);
            for (int step = 0; step < 200; step++) {
                churn.step();
            }
            awaitJournaled(node.feed(), before + 203); // 3 definitions, 200 starts and stops
            await("the stream reaches the journal's newest event", WAIT, () -> caughtUp(jedis, key, node.feed()));

            List<Entry> entries = StreamReader.all(jedis, key);
            Entry marker = entries.get(0);
            long asOf = marker.sequence();
            assertEquals("marker", marker.type());
            assertEquals(asOf + "-1", marker.id());
            assertEquals("RESUME_POINT_LOST", marker.fields().get("reason"));
            assertEquals(host, marker.fields().get("node"));
            assertEquals(AimNode.ADDRESS, marker.fields().get("address"));
            int domains = Integer.parseInt(marker.fields().get("domains"));
            for (int index = 1; index <= domains; index++) {
                Entry snapshot = entries.get(index);
                assertEquals(asOf + "-" + (index + 1), snapshot.id());
                assertEquals("snapshot", snapshot.type());
                DomainSnapshot domain = DomainSnapshot.parseFrom(snapshot.raw().get("snapshot"));
                assertEquals(domain.getDomainName(), snapshot.fields().get("name"));
                assertEquals(domain.getState().name(), snapshot.fields().get("state"));
            }
            Entry end = entries.get(domains + 1);
            assertEquals("snapshot-end", end.type());
            assertEquals(asOf + "-" + (domains + 2), end.id());
            assertTrue(domains >= 1, "test:///default has its domain 'test': " + entries.subList(0, 3));

            List<DomainEvent> journal = node.listEvents().stream().filter(event -> event.getSequence() > asOf)
                    .toList();
            List<Entry> published = events(entries);
            assertTrue(journal.size() >= 200, "the churn journaled " + journal.size() + " events");
            assertEquals(journal.size(), published.size());
            for (int index = 0; index < journal.size(); index++) {
                DomainEvent expected = journal.get(index);
                Entry entry = published.get(index);
                assertEquals(expected.getSequence() + "-0", entry.id());
                assertEquals(expected, DomainEvent.parseFrom(entry.raw().get("event")));
                assertEquals(Long.toString(expected.getSequence()), entry.fields().get("sequence"));
                assertEquals(expected.getDomainUuid(), entry.fields().get("uuid"));
                assertEquals(expected.getDomainName(), entry.fields().get("name"));
                assertEquals(expected.getKind().name(), entry.fields().get("kind"));
                assertEquals(expected.getState().name(), entry.fields().get("state"));
                assertEquals(expected.getLibvirtEvent(), entry.fields().get("libvirt_event"));
                assertEquals(Boolean.toString(expected.getResync()), entry.fields().get("resync"));
                assertEquals(host, entry.fields().get("node"));
                assertEquals(AimNode.ADDRESS, entry.fields().get("address"));
                assertTrue(entry.fields().get("time").endsWith("Z"), entry.fields().get("time"));
                assertEquals("event", entry.type());
            }
        }
    }

    @Test
    void redisKilledAndRestartedWithAofAndFrozenForFiveSecondsDuringChurnLosesAndRepeatsNothing() throws Exception {
        // the churn runs until the milestones are met, however long that takes: a journal (10,000 by default) that
        // holds all it makes, so the forwarder never has to start over with a marker however long Redis is away
        try (PrivateRedis redis = new PrivateRedis(true).start(); AimNode node = new AimNode(Map.of("eventbus",
                Map.of("url", redis.url()), "monitor", Map.of("journalSize", "1000000")), host)) {
            await("EventBus SERVING", WAIT, () -> node.health(EventBusModule.STREAM_SERVICE).equals("SERVING"));
            EventFeed feed = node.feed();
            long first = feed.newestSequence();
            int operations;
            try (Churn churn = new Churn(node.libvirt(), host + "-churn", 8)) {
                // until stopped: the kill, the restart (a process start and an AOF load) and the freeze below take
                // as long as they take on a loaded machine, and each milestone needs the churn still going
                churn.runUntilStopped(1500);
                await("300 events journaled", WAIT, () -> feed.newestSequence() >= first + 300);
                redis.kill();
                // Redis stays away for a while: events go on, the forwarder retries with backoff
                long killedAt = feed.newestSequence();
                await("200 more events while Redis is down", WAIT, () -> feed.newestSequence() >= killedAt + 200);
                await("EventBus NOT_SERVING", WAIT,
                        () -> node.health(EventBusModule.STREAM_SERVICE).startsWith("NOT_SERVING"));
                redis.start();
                long restartedAt = feed.newestSequence();
                await("300 more events after the restart", WAIT,
                        () -> feed.newestSequence() >= restartedAt + 300);
                redis.freeze();
                long frozenAt = System.nanoTime();
                await("EventBus NOT_SERVING while Redis is frozen", WAIT, () -> node.health(
                        EventBusModule.STREAM_SERVICE).contains("no answer from 127.0.0.1:" + redis.port()));
                // not a wait but the scenario: the rest of a 5 s freeze, a Redis that accepts connections and
                // answers nothing, during which the churn goes on
                Thread.sleep(Math.max(0, 5000 - (System.nanoTime() - frozenAt) / 1_000_000));
                redis.thaw();
                long thawedAt = feed.newestSequence();
                await("300 more events after the thaw and 3,000 operations in all", WAIT,
                        () -> feed.newestSequence() >= thawedAt + 300 && churn.operations() >= 3000);
                churn.stop();
                operations = churn.operations();
                assertTrue(operations >= 3000, operations + " operations");
            }
            awaitJournaled(feed, first + 8 + operations); // 8 definitions, then one event per start or stop
            try (Jedis jedis = redis.client()) {
                await("the stream reaches the journal's newest event", WAIT, () -> caughtUp(jedis, key, feed));
                List<Entry> entries = StreamReader.all(jedis, key);
                assertEquals(1, markers(entries).size(), "only the first start's marker: the journal was never "
                        + "overrun, so nothing had to be replaced by a snapshot");
                List<Entry> published = events(entries);
                Set<Long> seen = new HashSet<>();
                long previous = markers(entries).get(0).sequence();
                for (Entry entry : published) {
                    assertTrue(seen.add(entry.sequence()), "duplicate sequence " + entry.sequence());
                    assertEquals(previous + 1, entry.sequence(), "gap after " + previous);
                    previous = entry.sequence();
                }
                assertEquals(feed.newestSequence(), previous);
                assertTrue(published.size() >= 3000, published.size() + " events published");
                List<Long> journal = node.listEvents().stream().map(DomainEvent::getSequence)
                        .filter(sequence -> sequence > markers(entries).get(0).sequence()).toList();
                assertEquals(journal, published.stream().map(Entry::sequence).toList());
            }
            await("EventBus SERVING again", WAIT,
                    () -> node.health(EventBusModule.STREAM_SERVICE).equals("SERVING"));
        }
    }

    @Test
    void maxLengthTrimsTheStreamApproximatelyAndKeepsTheNewestEvents() throws Exception {
        try (PrivateRedis redis = new PrivateRedis(false).start(); Jedis jedis = redis.client();
             AimNode node = new AimNode(Map.of("eventbus", Map.of("url", redis.url(), "maxLength", "100")), host)) {
            await("EventBus SERVING", WAIT, () -> node.health(EventBusModule.STREAM_SERVICE).equals("SERVING"));
            long before = node.feed().newestSequence();
            Churn churn = new Churn(node.libvirt(), host + "-trim", 2);
            for (int step = 0; step < 600; step++) {
                churn.step();
            }
            awaitJournaled(node.feed(), before + 602);
            await("the stream reaches the journal's newest event", WAIT, () -> caughtUp(jedis, key, node.feed()));
            List<Entry> entries = StreamReader.all(jedis, key);
            // MAXLEN ~ 100: Redis drops whole nodes of entries (stream-node-max-entries, 100), so it keeps at least
            // 100 and less than 100 more
            assertTrue(entries.size() >= 100 && entries.size() < 200, entries.size() + " entries kept of 604");
            assertEquals(markers(entries), List.of(), "the oldest entries, the start's marker first, were trimmed");
            List<Long> journal = node.listEvents().stream().map(DomainEvent::getSequence).toList();
            assertEquals(journal.subList(journal.size() - entries.size(), journal.size()),
                    entries.stream().map(Entry::sequence).toList(), "the newest events, in order");
        }
    }

    @Test
    void anAgentRestartGoesOnAboveTheOldSequencesWithAMarkerAndSnapshot() throws Exception {
        try (PrivateRedis redis = new PrivateRedis(false).start(); Jedis jedis = redis.client()) {
            long oldTop;
            try (AimNode node = node(redis)) {
                await("EventBus SERVING", WAIT, () -> node.health(EventBusModule.STREAM_SERVICE).equals("SERVING"));
                long before = node.feed().newestSequence();
                Churn churn = new Churn(node.libvirt(), host + "-before", 2);
                for (int step = 0; step < 50; step++) {
                    churn.step();
                }
                awaitJournaled(node.feed(), before + 52);
                await("the stream reaches the journal", WAIT, () -> caughtUp(jedis, key, node.feed()));
                oldTop = node.feed().newestSequence();
            }
            try (AimNode restarted = node(redis)) {
                await("EventBus SERVING", WAIT,
                        () -> restarted.health(EventBusModule.STREAM_SERVICE).equals("SERVING"));
                EventFeed.Snapshot atStart = restarted.feed().snapshot().orElseThrow();
                Churn churn = new Churn(restarted.libvirt(), host + "-after", 2);
                for (int step = 0; step < 20; step++) {
                    churn.step();
                }
                awaitJournaled(restarted.feed(), atStart.asOfSequence() + 22);
                await("the stream reaches the new journal", WAIT, () -> caughtUp(jedis, key, restarted.feed()));
                List<Entry> entries = StreamReader.all(jedis, key);
                List<Entry> markers = markers(entries);
                assertEquals(2, markers.size(), "one marker per start of the agent");
                Entry second = markers.get(1);
                assertTrue(second.idMillis() > oldTop, "the new run's marker " + second.id() + " stands above the "
                        + "old run's last event " + oldTop);
                int at = entries.indexOf(second);
                assertEquals(oldTop + "-0", entries.get(at - 1).id(), "the old run's events end before it");
                assertEquals(atStart.asOfSequence(), second.sequence());
                int domains = Integer.parseInt(second.fields().get("domains"));
                List<DomainSnapshot> published = new java.util.ArrayList<>();
                for (Entry entry : entries.subList(at + 1, at + 1 + domains)) {
                    published.add(DomainSnapshot.parseFrom(entry.raw().get("snapshot")));
                }
                assertEquals(atStart.domains(), published, "the snapshot is the restarted agent's view");
                assertEquals("snapshot-end", entries.get(at + 1 + domains).type());
                List<Long> newEvents = events(entries.subList(at, entries.size())).stream().map(Entry::sequence)
                        .toList();
                List<Long> journal = restarted.listEvents().stream().map(DomainEvent::getSequence)
                        .filter(sequence -> sequence > second.sequence()).toList();
                assertTrue(newEvents.size() >= 20, newEvents.size() + " events after the restart");
                assertEquals(journal, newEvents);
            }
        }
    }
}
