package com.abiquo.aim.eventbus;

import static com.abiquo.aim.testing.Waits.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.abiquo.aim.eventbus.fixture.AimNode;
import com.abiquo.aim.testing.PrivateRedis;
import com.abiquo.aim.testing.StreamReader;
import java.time.Duration;
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

    @Test
    void tlsAgainstAPlaintextPortIsNamed() throws Exception {
        try (PrivateRedis redis = new PrivateRedis(false).start();
             AimNode node = new AimNode(Map.of("eventbus", Map.of("url", "rediss://127.0.0.1:" + redis.port())),
                     host)) {
            await("a TLS failure", WAIT, () -> status(node).contains("TLS"));
            assertTrue(status(node).contains("127.0.0.1:" + redis.port()), status(node));
            assertAgentServes(node);
        }
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
