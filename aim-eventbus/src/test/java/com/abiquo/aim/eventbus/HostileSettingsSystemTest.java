package com.abiquo.aim.eventbus;

import static com.abiquo.aim.testing.Waits.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.abiquo.aim.core.spi.EventFeed;
import com.abiquo.aim.eventbus.fixture.AimNode;
import com.abiquo.aim.eventbus.fixture.Churn;
import com.abiquo.aim.testing.PrivateRedis;
import com.abiquo.aim.testing.StreamReader;
import com.abiquo.aim.testing.StreamReader.Entry;
import com.abiquo.aim.v1.DomainEvent;
import com.abiquo.aim.v1.DomainSnapshot;
import com.abiquo.aim.v1.DomainState;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import redis.clients.jedis.Jedis;

/**
 * Broken or hostile [eventbus] settings: each gives a precise NOT_SERVING reason (never the password), the agent
 * keeps serving its gRPC services, and the bus publishes once Redis is fixed, without a restart of the agent.
 */
@Tag("system")
class HostileSettingsSystemTest {
    private static final Duration WAIT = Duration.ofSeconds(60);
    private final String host = "hostile-" + UUID.randomUUID().toString().substring(0, 8);
    private final String key = "aim:events:" + host;

    private static String status(AimNode node) {
        return node.health(EventBusModule.STREAM_SERVICE);
    }

    private void assertRecovers(AimNode node, Jedis jedis) throws Exception {
        await("EventBus SERVING after the fix", WAIT, () -> status(node).equals("SERVING"));
        assertEquals("marker", StreamReader.all(jedis, key).get(0).type());
    }

    /** The agent goes on serving: ListEvents answers. */
    private static void assertAgentServes(AimNode node) {
        node.listEvents();
    }

    @Test
    void aWrongPasswordIsNamedWithoutTheAttemptedPassword() throws Exception {
        try (PrivateRedis redis = new PrivateRedis(false, "--requirepass", "right-secret").start();
             Jedis admin = redis.client()) {
            admin.auth("right-secret");
            String url = "redis://:typo-secret@127.0.0.1:" + redis.port();
            try (AimNode node = new AimNode(Map.of("eventbus", Map.of("url", url)), host)) {
                await("a login failure", WAIT, () -> status(node).contains("refused the login"));
                assertTrue(status(node).contains("127.0.0.1:" + redis.port()), status(node));
                assertFalse(status(node).contains("typo-secret"), status(node));
                assertAgentServes(node);
                admin.configSet("requirepass", "typo-secret"); // the operator fixes the server's side
                admin.auth("typo-secret");
                assertRecovers(node, admin);
            }
        }
    }

    @Test
    void anUnreachableRedisIsNamedAndTheBusStartsPublishingWhenItComesUp() throws Exception {
        try (PrivateRedis redis = new PrivateRedis(false);
             AimNode node = new AimNode(Map.of("eventbus", Map.of("url", redis.url())), host)) {
            await("a refused connection", WAIT, () -> status(node).contains("cannot connect to 127.0.0.1:"
                    + redis.port() + ": Connection refused"));
            assertAgentServes(node);
            redis.start();
            try (Jedis jedis = redis.client()) {
                assertRecovers(node, jedis);
            }
        }
    }

    /**
     * The operator fixes it on the Redis side: the same port restarted with TLS. The bus reconnects by itself and the
     * stream starts with a marker and a snapshot (which holds what happened while the bus was down), then every event
     * journaled from there, without a gap, including those journaled across the restart.
     */
    @Test
    void tlsAgainstAPlaintextPortIsNamedAndTheBusPublishesOnceRedisServesTlsThere() throws Exception {
        try (PrivateRedis redis = new PrivateRedis(false).start();
             AimNode node = new AimNode(Map.of("eventbus", Map.of("url", "rediss://127.0.0.1:" + redis.port(),
                     "tlsCa", redis.tlsCa().toString())), host)) {
            await("a TLS failure", WAIT, () -> status(node).contains("TLS"));
            assertTrue(status(node).contains("127.0.0.1:" + redis.port()), status(node));
            assertAgentServes(node);
            try (Churn churn = new Churn(node.libvirt(), host + "-tls", 2)) {
                churn.step(); // the first domain runs while the bus cannot publish: the snapshot must say so
                awaitRunning(node, host + "-tls-0");
                churn.runInBackground(150, 20_000); // events go on across the restart of Redis
                redis.kill();
                redis.startTls();
                churn.join();
                awaitServingThenChurn(node, churn);
            }
            try (Jedis jedis = redis.client()) {
                assertRecoversWithoutGaps(node, jedis, host + "-tls-0");
            }
        }
    }

    /** The opposite mismatch: a plain redis:// URL against a TLS-only port, fixed by serving plaintext there. */
    @Test
    void plaintextAgainstATlsPortIsNamedAndTheBusPublishesOnceRedisServesPlaintextThere() throws Exception {
        try (PrivateRedis redis = new PrivateRedis(false).startTls();
             AimNode node = new AimNode(Map.of("eventbus", Map.of("url", redis.url())), host)) {
            await("a plaintext failure", WAIT, () -> status(node).contains("does the server want TLS on this port?"));
            assertTrue(status(node).contains("127.0.0.1:" + redis.port()), status(node));
            assertAgentServes(node);
            try (Churn churn = new Churn(node.libvirt(), host + "-plain", 2)) {
                churn.step();
                awaitRunning(node, host + "-plain-0");
                churn.runInBackground(150, 20_000);
                redis.kill();
                redis.start();
                churn.join();
                awaitServingThenChurn(node, churn);
            }
            try (Jedis jedis = redis.client()) {
                assertRecoversWithoutGaps(node, jedis, host + "-plain-0");
            }
        }
    }

    /** Events journaled once the bus is back go out live, after those it caught up with. */
    private static void awaitServingThenChurn(AimNode node, Churn churn) throws Exception {
        await("EventBus SERVING after the fix", WAIT, () -> status(node).equals("SERVING"));
        long before = node.feed().newestSequence(); // the background churn has ended: nothing else journals
        for (int step = 0; step < 10; step++) {
            churn.step();
        }
        await("the last 10 steps journaled", WAIT, () -> node.feed().newestSequence() >= before + 10);
    }

    private static void awaitRunning(AimNode node, String domain) {
        await(domain + " journaled as running", WAIT, () -> node.listEvents().stream().anyMatch(event ->
                event.getDomainName().equals(domain) && event.getState() == DomainState.DOMAIN_STATE_RUNNING));
    }

    /**
     * SERVING again, the stream caught up with the journal: a marker, a snapshot that shows {@code runningMeanwhile}
     * running (it started while the bus was down), then each journaled event after the marker, once and in order.
     */
    private void assertRecoversWithoutGaps(AimNode node, Jedis jedis, String runningMeanwhile) throws Exception {
        EventFeed feed = node.feed();
        await("EventBus SERVING after the fix", WAIT, () -> status(node).equals("SERVING"));
        await("the stream reaches the journal's newest event", WAIT, () -> {
            List<Entry> entries = StreamReader.all(jedis, key);
            return !entries.isEmpty() && entries.get(entries.size() - 1).idMillis() == feed.newestSequence();
        });
        List<Entry> entries = StreamReader.all(jedis, key);
        Entry marker = entries.get(0);
        assertEquals("marker", marker.type());
        assertEquals("RESUME_POINT_LOST", marker.fields().get("reason"));
        List<DomainSnapshot> snapshot = new ArrayList<>();
        for (Entry entry : entries) {
            if (entry.type().equals("snapshot")) {
                snapshot.add(DomainSnapshot.parseFrom(entry.raw().get("snapshot")));
            }
        }
        assertEquals(Integer.parseInt(marker.fields().get("domains")), snapshot.size());
        assertTrue(snapshot.stream().anyMatch(domain -> domain.getDomainName().equals(runningMeanwhile)), "the "
                + "snapshot holds the domain defined while the bus was down: " + snapshot);
        List<Long> journal = node.listEvents().stream().map(DomainEvent::getSequence)
                .filter(sequence -> sequence > marker.sequence()).toList();
        List<Long> published = entries.stream().filter(entry -> entry.type().equals("event"))
                .map(Entry::sequence).toList();
        assertEquals(journal, published, "every event after the marker, once, in order");
        assertTrue(published.size() >= 10, published.size() + " events published after the marker");
        long expected = marker.sequence();
        for (long sequence : published) {
            assertEquals(++expected, sequence, "gap after " + (expected - 1));
        }
        assertEquals(feed.newestSequence(), expected);
    }

    @Test
    void aStreamKeyHoldingAnotherTypeIsNamedAndTheBusPublishesOnceItIsRemoved() throws Exception {
        try (PrivateRedis redis = new PrivateRedis(false).start(); Jedis jedis = redis.client()) {
            jedis.set(key, "not a stream");
            try (AimNode node = new AimNode(Map.of("eventbus", Map.of("url", redis.url())), host)) {
                await("a wrong type", WAIT, () -> status(node).contains("the key \"" + key
                        + "\" in Redis database 0 holds a string, not a stream"));
                assertAgentServes(node);
                assertEquals("not a stream", jedis.get(key), "the bus never overwrites what it did not write");
                jedis.del(key);
                assertRecovers(node, jedis);
            }
        }
    }
}
