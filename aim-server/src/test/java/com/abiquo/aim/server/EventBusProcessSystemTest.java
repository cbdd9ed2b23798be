package com.abiquo.aim.server;

import static com.abiquo.aim.testing.Waits.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.abiquo.aim.testing.PrivateRedis;
import com.abiquo.aim.testing.StreamReader;
import com.abiquo.aim.testing.StreamReader.Entry;
import com.abiquo.aim.v1.DomainEvent;
import com.abiquo.aim.v1.DomainSnapshot;
import com.abiquo.aim.v1.EventFilter;
import com.abiquo.aim.v1.EventsMonitorServiceGrpc;
import com.abiquo.aim.v1.SubscribeRequest;
import com.abiquo.aim.v1.SubscribeResponse;
import io.grpc.Context;
import io.grpc.stub.StreamObserver;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.UUID;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import redis.clients.jedis.Jedis;

/**
 * The event bus of AIM run as an operator runs it: a process of its own ({@link EventBusProcess}) with
 * {@code [eventbus] url} on a private redis-server that wants a password, libvirt's test driver. It lives here, not in
 * aim-eventbus, because only aim-server's tests start the agent as a process (aim-eventbus may not depend on
 * aim-server), and they already have aim-eventbus's private Redis fixture.
 */
@Tag("system")
class EventBusProcessSystemTest {
    private static final Duration WAIT = Duration.ofSeconds(60);
    private static final String BUS = "abiquo.aim.v1.EventBus";
    private static final String SECRET = "bus-secret-" + UUID.randomUUID().toString().substring(0, 8);

    @TempDir
    Path folder;
    private final String stream = "aim:events:process-" + UUID.randomUUID().toString().substring(0, 8);

    /** A world-readable aim.ini (0644) whose [eventbus] url holds the Redis password. */
    private Path config(PrivateRedis redis) throws Exception {
        Path file = SafeConfig.write(folder, "");
        Files.writeString(file, Files.readString(file) + "\n[eventbus]\nurl = redis://:" + SECRET + "@127.0.0.1:"
                + redis.port() + "\nstream = " + stream + "\n");
        Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-r--r--"));
        return file;
    }

    private void awaitPublished(PrivateRedis redis, EventBusProcess aim, long sequence) throws Exception {
        await("the stream reaches sequence " + sequence, WAIT, () -> {
            try (Jedis jedis = redis.client()) {
                jedis.auth(SECRET);
                return jedis.exists(stream) && jedis.xinfoStream(stream).getLastGeneratedId().getTime() >= sequence;
            }
        });
    }

    private List<Entry> entries(PrivateRedis redis) {
        try (Jedis jedis = redis.client()) {
            jedis.auth(SECRET);
            return StreamReader.all(jedis, stream);
        }
    }

    /** Defines a domain and pauses and resumes "test" {@code pauses} times; returns the last of their events. */
    private static long churn(EventBusProcess aim, String name, int pauses) throws Exception {
        long before = aim.lastSequence();
        aim.define(name);
        for (int index = 0; index < pauses; index++) {
            aim.pauseAndResume();
        }
        return EventWatcherTest.awaitJournaled(aim::lastSequence, before, 1 + 2 * pauses);
    }

    @Test
    void agentKilledWithSigkillAndStartedAgainGoesOnAboveItsOldSequencesWithAMarkerAndSnapshot() throws Exception {
        try (PrivateRedis redis = new PrivateRedis(false, "--requirepass", SECRET).start()) {
            Path config = config(redis);
            List<DomainEvent> firstJournal;
            long firstTop;
            try (EventBusProcess first = new EventBusProcess(config)) {
                await("EventBus SERVING", WAIT, () -> first.health(BUS).equals("SERVING"));
                assertTrue(first.output().contains("is readable by every user of this machine and [eventbus] url "
                        + "holds a Redis password"), first.output());
                firstTop = churn(first, "before-kill", 100);
                awaitPublished(redis, first, firstTop);
                firstJournal = first.journal();
                assertEquals(128 + 9, first.kill(), "killed by SIGKILL");
                assertFalse(first.output().contains(SECRET), "the password never reaches the log");
            }
            try (EventBusProcess second = new EventBusProcess(config)) {
                await("EventBus SERVING again", WAIT, () -> second.health(BUS).equals("SERVING"));
                await("the new run's marker", WAIT, () -> markers(entries(redis)).size() == 2);
                Set<String> domainsAtStart = second.domainUuids(); // nothing changed them since the marker
                long secondTop = churn(second, "after-kill", 50);
                awaitPublished(redis, second, secondTop);
                List<DomainEvent> secondJournal = second.journal();

                List<Entry> entries = entries(redis);
                assertIdsStrictlyIncrease(entries);
                List<Entry> markers = markers(entries);
                Entry restart = markers.get(1);
                int at = entries.indexOf(restart);
                assertEquals(firstTop + "-0", entries.get(at - 1).id(), "the old run's entries end before it");
                assertTrue(restart.sequence() > firstTop, "the new run's marker " + restart.id()
                        + " stands above the old run's last sequence " + firstTop);
                int domains = Integer.parseInt(restart.fields().get("domains"));
                Set<String> snapshot = new TreeSet<>();
                for (Entry entry : entries.subList(at + 1, at + 1 + domains)) {
                    assertEquals("snapshot", entry.type(), entry.toString());
                    snapshot.add(DomainSnapshot.parseFrom(entry.raw().get("snapshot")).getDomainUuid());
                }
                assertEquals(domainsAtStart, snapshot, "a snapshot entry for every domain of the new run");
                assertEquals("snapshot-end", entries.get(at + 1 + domains).type());

                assertEquals(sequencesAfter(firstJournal, markers.get(0).sequence()),
                        events(entries.subList(0, at)), "the old run's events, each once, in order");
                assertEquals(sequencesAfter(secondJournal, restart.sequence()),
                        events(entries.subList(at, entries.size())), "the new run's events, each once, in order");
                assertTrue(events(entries).size() >= 300, events(entries).size() + " events");
                assertFalse(second.output().contains(SECRET), "the password never reaches the log");
            }
        }
    }

    @Test
    void whileRedisIsFrozenGrpcSubscribersStillGetEveryEventAndTheLogSaysWhyAndHowFarBehind() throws Exception {
        try (PrivateRedis redis = new PrivateRedis(false, "--requirepass", SECRET).start();
             EventBusProcess aim = new EventBusProcess(config(redis))) {
            await("EventBus SERVING", WAIT, () -> aim.health(BUS).equals("SERVING"));
            BlockingQueue<DomainEvent> received = new LinkedBlockingQueue<>();
            Context.CancellableContext subscription = Context.current().withCancellation();
            subscription.run(() -> EventsMonitorServiceGrpc.newStub(aim.channel()).subscribe(SubscribeRequest
                    .newBuilder().setFilter(EventFilter.newBuilder().setAllDomains(true)).build(), collect(received)));
            try {
                long before = churn(aim, "before-freeze", 5);
                awaitReceived(received, before);
                awaitPublished(redis, aim, before);
                redis.freeze();
                try {
                    // Every event reaches the subscriber while Redis answers nothing, one operation at a time.
                    long last = before;
                    for (int operation = 0; operation < 20; operation++) {
                        aim.pauseAndResume();
                        last += 2;
                        awaitReceived(received, last);
                    }
                    await("EventBus NOT_SERVING", WAIT, () -> aim.health(BUS).equals("NOT_SERVING"));
                    await("the log says why and how far behind", WAIT, () -> behind(aim, redis) > 0);
                    assertTrue(behind(aim, redis) <= last - before, "at most the events journaled since the "
                            + "freeze: " + aim.output());
                    aim.pauseAndResume();
                    awaitReceived(received, last + 2);
                } finally {
                    redis.thaw();
                }
                long last = aim.lastSequence();
                awaitPublished(redis, aim, last);
                await("EventBus SERVING after the thaw", WAIT, () -> aim.health(BUS).equals("SERVING"));
                List<Entry> entries = entries(redis);
                assertIdsStrictlyIncrease(entries);
                assertEquals(1, markers(entries).size(), "the journal held everything: no snapshot needed");
                assertEquals(sequencesAfter(aim.journal(), markers(entries).get(0).sequence()), events(entries),
                        "every event once, in order, across the freeze");
                assertTrue(aim.output().contains("publishes again"), aim.output());
                assertFalse(aim.output().contains(SECRET), "the password never reaches the log");
            } finally {
                subscription.cancel(null);
            }
        }
    }

    /** The "N events behind the journal" of the log's newest "no answer" warning about this Redis; 0 if none. */
    private static long behind(EventBusProcess aim, PrivateRedis redis) {
        Pattern warning = Pattern.compile("cannot publish: .*no answer from 127\\.0\\.0\\.1:" + redis.port()
                + " .*; (\\d+) events behind the journal");
        long behind = 0;
        for (String line : aim.lines()) {
            Matcher matcher = warning.matcher(line);
            if (matcher.find()) {
                behind = Long.parseLong(matcher.group(1));
            }
        }
        return behind;
    }

    private static void awaitReceived(BlockingQueue<DomainEvent> received, long sequence) throws Exception {
        long deadline = System.nanoTime() + WAIT.toNanos();
        while (true) {
            DomainEvent event = received.poll(Math.max(1, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
            if (event == null) {
                throw new AssertionError("the gRPC subscriber did not get sequence " + sequence + " in " + WAIT);
            }
            if (event.getSequence() >= sequence) {
                return;
            }
        }
    }

    private static StreamObserver<SubscribeResponse> collect(BlockingQueue<DomainEvent> received) {
        return new StreamObserver<>() {
            @Override
            public void onNext(SubscribeResponse response) {
                if (response.hasEvent()) {
                    received.add(response.getEvent());
                }
            }

            @Override
            public void onError(Throwable failure) {
            }

            @Override
            public void onCompleted() {
            }
        };
    }

    /** Entry IDs strictly increase (XRANGE's order), so none is there twice. */
    private static void assertIdsStrictlyIncrease(List<Entry> entries) {
        Set<String> ids = new HashSet<>();
        for (int index = 0; index < entries.size(); index++) {
            Entry entry = entries.get(index);
            assertTrue(ids.add(entry.id()), "duplicate ID " + entry.id());
            if (index > 0) {
                Entry previous = entries.get(index - 1);
                assertTrue(entry.idMillis() > previous.idMillis() || entry.idMillis() == previous.idMillis()
                        && entry.idSequence() > previous.idSequence(), previous.id() + " then " + entry.id());
            }
        }
    }

    private static List<Entry> markers(List<Entry> entries) {
        return entries.stream().filter(entry -> "marker".equals(entry.type())).toList();
    }

    /** The sequences of the event entries, which strictly increase. */
    private static List<Long> events(List<Entry> entries) {
        List<Long> sequences = new ArrayList<>();
        for (Entry entry : entries) {
            if ("event".equals(entry.type())) {
                assertEquals(entry.idMillis(), entry.sequence(), entry.id());
                sequences.add(entry.sequence());
            }
        }
        return sequences;
    }

    private static List<Long> sequencesAfter(List<DomainEvent> journal, long after) {
        return journal.stream().map(DomainEvent::getSequence).filter(sequence -> sequence > after).toList();
    }
}
