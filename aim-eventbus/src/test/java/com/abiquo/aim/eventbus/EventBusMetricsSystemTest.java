package com.abiquo.aim.eventbus;

import static com.abiquo.aim.testing.Waits.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.abiquo.aim.core.spi.EventFeed;
import com.abiquo.aim.eventbus.fixture.AimNode;
import com.abiquo.aim.eventbus.fixture.Churn;
import com.abiquo.aim.testing.PrivateRedis;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import io.prometheus.metrics.model.snapshots.CounterSnapshot;
import io.prometheus.metrics.model.snapshots.DataPointSnapshot;
import io.prometheus.metrics.model.snapshots.GaugeSnapshot;
import io.prometheus.metrics.model.snapshots.MetricSnapshot;
import java.time.Duration;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.UUID;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import redis.clients.jedis.Jedis;

/**
 * The event bus's families as /metrics serves them (the node's registry, scraped), against a real redis-server and
 * the modules on test:///default: caught up, the published sequence is the journal's newest and the lag 0; with Redis
 * killed the errors and the lag grow; the legacy mode counts its messages by event name.
 */
@Tag("system")
class EventBusMetricsSystemTest {
    private static final Duration WAIT = Duration.ofSeconds(60);
    private final String host = "metrics-" + UUID.randomUUID().toString().substring(0, 8);

    /** The value of the family's series whose labels include {@code labels} (summed over the others); -1 if none. */
    private static double value(PrometheusRegistry registry, String family, Map<String, String> labels) {
        double sum = 0;
        boolean found = false;
        for (MetricSnapshot snapshot : registry.scrape()) {
            if (!snapshot.getMetadata().getName().equals(family)) {
                continue;
            }
            for (DataPointSnapshot point : snapshot.getDataPoints()) {
                if (labels.entrySet().stream().allMatch(label -> label.getValue().equals(
                        point.getLabels().get(label.getKey())))) {
                    found = true;
                    sum += point instanceof CounterSnapshot.CounterDataPointSnapshot counter ? counter.getValue()
                            : ((GaugeSnapshot.GaugeDataPointSnapshot) point).getValue();
                }
            }
        }
        return found ? sum : -1;
    }

    private static double stream(AimNode node, String family) {
        return value(node.metrics(), family, Map.of("publisher", "stream"));
    }

    private static Set<String> busFamilies(PrometheusRegistry registry) {
        Set<String> names = new TreeSet<>();
        registry.scrape().forEach(snapshot -> {
            if (snapshot.getMetadata().getName().startsWith("aim_eventbus_")) {
                names.add(snapshot.getMetadata().getName());
            }
        });
        return names;
    }

    @Test
    void caughtUpTheLagIsZeroAndWithRedisKilledErrorsAndLagGrow() throws Exception {
        try (PrivateRedis redis = new PrivateRedis(false).start();
             AimNode node = new AimNode(Map.of("eventbus", Map.of("url", redis.url())), host)) {
            await("EventBus SERVING", WAIT, () -> node.health(EventBusModule.STREAM_SERVICE).equals("SERVING"));
            EventFeed feed = node.feed();
            // Read before the churn defines its domains: their 2 CREATED events may be journaled at once or a moment
            // later, and the 22 counted below are those 2 and the 20 steps' events.
            long before = feed.newestSequence();
            Churn churn = new Churn(node.libvirt(), host, 2);
            for (int step = 0; step < 20; step++) {
                churn.step();
            }
            await("the journal holds the churn", WAIT, () -> feed.newestSequence() >= before + 22);
            long newest = feed.newestSequence();
            await("published sequence " + newest, WAIT,
                    () -> stream(node, "aim_eventbus_published_sequence") == newest);
            assertEquals(0, stream(node, "aim_eventbus_lag_events"));
            assertEquals(0, stream(node, "aim_eventbus_errors"), "no failure while Redis was up");
            for (PublisherMetrics.ErrorKind kind : PublisherMetrics.ErrorKind.values()) {
                assertEquals(0, value(node.metrics(), "aim_eventbus_errors",
                        Map.of("publisher", "stream", "kind", kind.label())), kind + " exported from the start");
            }

            redis.kill();
            for (int step = 0; step < 10; step++) {
                churn.step();
            }
            await("the journal holds 10 more events", WAIT, () -> feed.newestSequence() >= newest + 10);
            await("connection errors counted", WAIT, () -> value(node.metrics(), "aim_eventbus_errors",
                    Map.of("publisher", "stream", "kind", "connect")) >= 2);
            long behind = feed.newestSequence() - newest;
            assertEquals(behind, stream(node, "aim_eventbus_lag_events"), "the events journaled since the kill");
            assertTrue(behind >= 10, "lag " + behind);
            assertEquals(newest, stream(node, "aim_eventbus_published_sequence"), "nothing published meanwhile");
            double errors = stream(node, "aim_eventbus_errors");
            await("errors keep growing while Redis is away", WAIT,
                    () -> stream(node, "aim_eventbus_errors") > errors);

            redis.start(); // same port, empty: the forwarder publishes a snapshot as of the newest event
            await("lag 0 again", WAIT, () -> stream(node, "aim_eventbus_lag_events") == 0
                    && stream(node, "aim_eventbus_published_sequence") == feed.newestSequence());
        }
    }

    @Test
    void aRefusedLoginIsAnAuthError() throws Exception {
        try (PrivateRedis redis = new PrivateRedis(false, "--requirepass", "right-secret").start();
             AimNode node = new AimNode(Map.of("eventbus", Map.of("url",
                     "redis://:wrong-secret@127.0.0.1:" + redis.port())), host)) {
            await("auth errors counted", WAIT, () -> value(node.metrics(), "aim_eventbus_errors",
                    Map.of("publisher", "stream", "kind", "auth")) >= 1);
            assertEquals(0, value(node.metrics(), "aim_eventbus_errors", Map.of("publisher", "stream",
                    "kind", "connect")), "a refused login is not a connection failure");
        }
    }

    @Test
    void legacyPublishingCountsItsMessagesByEventName() throws Exception {
        try (PrivateRedis redis = new PrivateRedis(false).start(); Jedis controller = redis.client();
             AimNode node = new AimNode(Map.of("monitor", Map.of("redisHost", "127.0.0.1",
                     "redisPort", Integer.toString(redis.port()))), host)) {
            await("legacy publishing SERVING", WAIT,
                    () -> node.health(EventBusModule.LEGACY_SERVICE).equals("SERVING"));
            String name = host + "-vm";
            controller.sadd("PhysicalMachine:address:127.0.0.1", "3");
            controller.sadd("VirtualMachine:name:" + name, "7");
            controller.hset("VirtualMachine:7", "physicalMachine_id", "3");
            node.libvirt().call(connect -> connect.domainDefineXML("<domain type='test'><name>" + name + "</name>"
                    + "<memory unit='MiB'>8</memory><os><type>hvm</type></os></domain>").create());

            await("one POWER_ON message counted", WAIT, () -> value(node.metrics(), "aim_eventbus_legacy_messages",
                    Map.of("event", "POWER_ON")) == 1);
            EventFeed feed = node.feed();
            await("the legacy publisher caught up", WAIT, () -> value(node.metrics(),
                    "aim_eventbus_published_sequence", Map.of("publisher", "legacy")) == feed.newestSequence());
            assertEquals(0, value(node.metrics(), "aim_eventbus_lag_events", Map.of("publisher", "legacy")));
            assertEquals(-1, stream(node, "aim_eventbus_published_sequence"), "no stream bus configured");
        }
    }

    @Test
    void withoutABusThereAreNoBusFamilies() throws Exception {
        try (AimNode node = new AimNode(Map.of(), host)) {
            assertTrue(value(node.metrics(), "aim_libvirt_connected", Map.of()) >= 0, "the node's registry");
            assertEquals(Set.of(), busFamilies(node.metrics()));
        }
    }
}
