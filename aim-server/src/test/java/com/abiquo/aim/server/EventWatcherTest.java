package com.abiquo.aim.server;

import static com.abiquo.aim.testing.Waits.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.abiquo.aim.client.AimClient;
import com.abiquo.aim.client.AimClientException;
import com.abiquo.aim.client.AimErrorReason;
import com.abiquo.aim.client.EventWatcher;
import com.abiquo.aim.client.SequenceStore;
import com.abiquo.aim.v1.DomainEvent;
import com.abiquo.aim.v1.DomainRef;
import com.abiquo.aim.v1.DomainSnapshot;
import com.abiquo.aim.v1.DomainState;
import com.abiquo.aim.v1.ListEventsRequest;
import com.abiquo.aim.v1.ListEventsResponse;
import com.abiquo.aim.v1.ModifySubscriptionRequest;
import com.abiquo.aim.v1.PowerOnDomainRequest;
import com.abiquo.aim.v1.UndefineDomainRequest;
import io.grpc.ManagedChannel;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/**
 * aim-client's EventWatcher against the whole real agent on Netty (libvirt's test driver), through a TCP proxy a
 * test can cut: every kind of end of the stream, and the informer's promises after it (no gap, no duplicate, a
 * cache equal to libvirt's list, vanished domains reported deleted).
 */
class EventWatcherTest {
    private static final Duration LONG = Duration.ofSeconds(60);

    @Test
    void tenThousandEventsWithRandomDisconnectsArriveOnceEachInOrder() throws Exception {
        // a journal that holds all a fast machine makes before the wanted cuts happened (the loop below)
        try (RunningAim aim = new RunningAim("journalSize = 1000000\n");
                CuttableProxy proxy = new CuttableProxy(aim.port());
                AimClient client = AimClient.builder(proxy.address()).build()) {
            aim.define("cw-idle");
            WatchRecorder recorder = new WatchRecorder();
            try (EventWatcher watcher = client.watcher(recorder)
                    .backoff(Duration.ofMillis(5), Duration.ofMillis(100)).start()) {
                long syncedAt = watcher.synced().get(30, TimeUnit.SECONDS);
                AtomicBoolean producing = new AtomicBoolean(true);
                Thread chaos = new Thread(() -> {
                    while (producing.get()) {
                        try {
                            // pacing of the disconnects, not a synchronisation
                            TimeUnit.MILLISECONDS.sleep(ThreadLocalRandom.current().nextLong(20, 200));
                        } catch (InterruptedException stop) {
                            return;
                        }
                        proxy.cut();
                    }
                });
                long before = lastIssued(aim);
                chaos.start();
                // at least 5,000 pause-resume pairs, and on until the disconnects happened too: a fast machine makes
                // 5,000 pairs sooner than 21 cuts 20-200 ms apart, a loaded one the other way round
                long deadline = System.nanoTime() + LONG.toNanos();
                int pairs = 0;
                try {
                    while (pairs < 5000 || proxy.cuts() <= 20 || recorder.disconnects.size() <= 5) {
                        assertTrue(System.nanoTime() < deadline, "after " + pairs + " pairs in " + LONG
                                + ": disconnects " + proxy.cuts() + ", resumes " + recorder.disconnects.size());
                        aim.pauseAndResume("test");
                        pairs++;
                    }
                } finally {
                    producing.set(false);
                    chaos.join();
                }
                long issued = awaitJournaled(aim, before, pairs * 2);
                await("every event handled", LONG, () -> recorder.lastSequence() == issued);

                List<Long> expected = journalAfter(aim, syncedAt);
                List<Long> received = recorder.events.stream().map(DomainEvent::getSequence).toList();
                assertTrue(expected.size() >= 10_000, "events issued: " + expected.size());
                assertEquals(expected, received, "exactly the journal's events, in order, each once");
                assertEquals(received.size(), new HashSet<>(received).size(), "no duplicate");
                assertTrue(proxy.cuts() > 20, "disconnects: " + proxy.cuts());
                assertTrue(recorder.disconnects.size() > 5, "resumes: " + recorder.disconnects.size());
                assertEquals(List.of(), recorder.cacheDisagreements);
                assertEquals(aim.libvirtDomains(), new TreeMap<>(watcher.domains()));
            }
        }
    }

    @Test
    void agentRestartReplacesTheCacheAndReportsVanishedDomainsDeleted() throws Exception {
        try (RunningAim aim = new RunningAim("");
                AimClient client = AimClient.builder("127.0.0.1:" + aim.port()).build()) {
            WatchRecorder recorder = new WatchRecorder();
            try (EventWatcher watcher = client.watcher(recorder)
                    .backoff(Duration.ofMillis(20), Duration.ofMillis(200)).start()) {
                watcher.synced().get(30, TimeUnit.SECONDS);
                String gone = aim.define("cw-gone");
                await("cw-gone cached", LONG, () -> watcher.domains().containsKey(gone));
                long before = watcher.cursor();

                aim.stop();
                await("the watcher saw the agent go", LONG, () -> !recorder.disconnects.isEmpty());
                assertEquals(Status.Code.UNAVAILABLE, recorder.disconnects.get(0).code());
                aim.startAgain(); // a new run: fresh test driver without cw-gone, new sequence numbers

                await("cw-gone reported deleted", LONG, () -> recorder.deleted.stream()
                        .anyMatch(d -> d.getDomainUuid().equals(gone)));
                assertEquals(aim.libvirtDomains(), new TreeMap<>(watcher.domains()));
                assertTrue(watcher.cursor() > before, "the cursor moved to the new run's snapshot");
                long beforeEvents = lastIssued(aim);
                aim.pauseAndResume("test");
                long issued = awaitJournaled(aim, beforeEvents, 2);
                await("the new run's events", LONG, () -> recorder.lastSequence() == issued);
                assertEquals(List.of(), recorder.cacheDisagreements);
            }
        }
    }

    @Test
    void journalOverflowWhileAwayGivesASnapshotWithDeletions() throws Exception {
        try (RunningAim aim = new RunningAim("journalSize = 100\n");
                CuttableProxy proxy = new CuttableProxy(aim.port());
                AimClient client = AimClient.builder(proxy.address()).build()) {
            WatchRecorder recorder = new WatchRecorder();
            try (EventWatcher watcher = client.watcher(recorder)
                    .backoff(Duration.ofMillis(20), Duration.ofMillis(200)).start()) {
                watcher.synced().get(30, TimeUnit.SECONDS);
                String kept = aim.define("cw-kept");
                String undefined = aim.define("cw-undefined");
                await("both cached", LONG, () -> watcher.domains().keySet().containsAll(List.of(kept, undefined)));
                int syncsBefore = recorder.syncs.size();

                proxy.block();
                await("the watcher is away", LONG, () -> !recorder.disconnects.isEmpty());
                aim.admin().call(() -> aim.admin().libvirt().undefineDomain(UndefineDomainRequest.newBuilder()
                        .setDomain(DomainRef.newBuilder().setUuid(undefined)).build()));
                for (int i = 0; i < 150; i++) {
                    aim.pauseAndResume("test"); // 300 events: the journal of 100 forgets where the watcher was
                }
                int eventsBefore = recorder.events.size();
                proxy.unblock();

                await("cw-undefined reported deleted", LONG, () -> recorder.deleted.stream()
                        .anyMatch(d -> d.getDomainUuid().equals(undefined)));
                assertTrue(recorder.syncs.size() > syncsBefore, "a snapshot replaced the cache");
                assertEquals(eventsBefore, recorder.events.size(), "events no longer in the journal are not replayed");
                assertEquals(aim.libvirtDomains(), new TreeMap<>(watcher.domains()));
                assertEquals(lastIssued(aim), watcher.cursor());
            }
        }
    }

    @Test
    void aSlowHandlerIsCutOffAndResumesWithoutLoss() throws Exception {
        try (RunningAim aim = new RunningAim("subscriberBufferSize = 50\n")) {
            // a small HTTP/2 window, so the agent sees the stream stall soon after the handler does
            ManagedChannel channel = NettyChannelBuilder.forAddress("127.0.0.1", aim.port()).usePlaintext()
                    .flowControlWindow(16 * 1024).build();
            try (AimClient client = AimClient.of("127.0.0.1:" + aim.port(), channel)) {
                WatchRecorder recorder = new WatchRecorder();
                try (EventWatcher watcher = client.watcher(recorder)
                        .backoff(Duration.ofMillis(20), Duration.ofMillis(200)).start()) {
                    long syncedAt = watcher.synced().get(30, TimeUnit.SECONDS);
                    String id = watcher.subscriptionId().orElseThrow();
                    recorder.gate = new CountDownLatch(1); // the controller hangs
                    long deadline = System.nanoTime() + LONG.toNanos();
                    long before = lastIssued(aim);
                    int pauses = 0;
                    while (subscriptionOpen(aim, id)) {
                        assertTrue(System.nanoTime() < deadline, "the stalled subscriber was never cut off");
                        for (int i = 0; i < 100; i++) {
                            aim.pauseAndResume("test");
                        }
                        pauses += 100;
                    }
                    recorder.gate.countDown();
                    long issued = awaitJournaled(aim, before, pauses * 2);
                    await("every event handled", LONG, () -> recorder.lastSequence() == issued);
                    AimClientException cutOff = recorder.disconnects.get(0);
                    assertEquals(Status.Code.RESOURCE_EXHAUSTED, cutOff.code());
                    assertEquals(AimErrorReason.SUBSCRIBER_TOO_SLOW, cutOff.reason());
                    assertEquals(journalAfter(aim, syncedAt),
                            recorder.events.stream().map(DomainEvent::getSequence).toList());
                }
            }
        }
    }

    @Test
    void aRestartedControllerResumesAfterTheCursorItsStoreKept() throws Exception {
        try (RunningAim aim = new RunningAim("");
                AimClient client = AimClient.builder("127.0.0.1:" + aim.port()).build()) {
            SequenceStore store = SequenceStore.inMemory();
            WatchRecorder first = new WatchRecorder();
            try (EventWatcher watcher = client.watcher(first).sequenceStore(store).start()) {
                long syncedAt = watcher.synced().get(30, TimeUnit.SECONDS);
                aim.pauseAndResume("test");
                long issued = awaitJournaled(aim, syncedAt, 2);
                await("handled", LONG, () -> first.lastSequence() == issued);
            }
            long saved = store.load().orElseThrow();
            assertEquals(lastIssued(aim), saved);
            for (int i = 0; i < 5; i++) {
                aim.pauseAndResume("test");
            }
            WatchRecorder second = new WatchRecorder();
            try (EventWatcher watcher = client.watcher(second).sequenceStore(store).start()) {
                assertEquals(saved, watcher.synced().get(30, TimeUnit.SECONDS), "resumed, no snapshot");
                long issued = awaitJournaled(aim, saved, 5 * 2);
                await("the missed events", LONG, () -> second.lastSequence() == issued);
                assertEquals(journalAfter(aim, saved), second.events.stream().map(DomainEvent::getSequence).toList());
                assertEquals(List.of(), second.snapshotStates);
                assertEquals(issued, store.load().orElseThrow());
            }
        }
    }

    @Test
    void aSequenceIsSavedOnlyAfterTheHandlerReturnedAndAFailedEventComesAgain() throws Exception {
        try (RunningAim aim = new RunningAim("");
                AimClient client = AimClient.builder("127.0.0.1:" + aim.port()).build()) {
            List<Long> saves = new ArrayList<>();
            AtomicLong failOnce = new AtomicLong(-1);
            WatchRecorder recorder = new WatchRecorder() {
                @Override
                public void onEvent(DomainEvent event, Map<String, DomainSnapshot> domains)
                        throws InterruptedException {
                    if (failOnce.compareAndSet(0, event.getSequence())) {
                        throw new IllegalStateException("the controller's database is away");
                    }
                    super.onEvent(event, domains);
                }
            };
            SequenceStore store = new SequenceStore() {
                @Override
                public OptionalLong load() {
                    return OptionalLong.empty();
                }

                @Override
                public synchronized void save(long sequence) {
                    saves.add(sequence);
                }
            };
            try (EventWatcher watcher = client.watcher(recorder).sequenceStore(store)
                    .backoff(Duration.ofMillis(20), Duration.ofMillis(200)).start()) {
                long syncedAt = watcher.synced().get(30, TimeUnit.SECONDS);
                failOnce.set(0);
                aim.pauseAndResume("test");
                long issued = awaitJournaled(aim, syncedAt, 2);
                await("handled after the failure", LONG, () -> recorder.lastSequence() == issued);
                assertEquals(List.of(syncedAt + 1, syncedAt + 2),
                        recorder.events.stream().map(DomainEvent::getSequence).toList());
                assertEquals(Status.Code.ABORTED, recorder.disconnects.get(0).code());
                synchronized (store) {
                    assertEquals(List.of(syncedAt, syncedAt + 1, syncedAt + 2), saves);
                }
            }
        }
    }

    @Test
    void domainsAddedWhileRunningArriveWithTheirStateAndRemovedOnesLeaveTheCache() throws Exception {
        try (RunningAim aim = new RunningAim("");
                AimClient client = AimClient.builder("127.0.0.1:" + aim.port()).build()) {
            String first = aim.define("cw-first");
            String added = aim.define("cw-added");
            WatchRecorder recorder = new WatchRecorder();
            try (EventWatcher watcher = client.watcher(recorder)
                    .domains(List.of(DomainRef.newBuilder().setName("cw-first").build())).start()) {
                watcher.synced().get(30, TimeUnit.SECONDS);
                assertEquals(Set.of(first), watcher.domains().keySet());

                watcher.modify(List.of(DomainRef.newBuilder().setName("cw-added").build()), List.of());
                await("cw-added's state", LONG, () -> watcher.domains().containsKey(added));
                assertEquals(DomainState.DOMAIN_STATE_SHUTOFF, watcher.domains().get(added).getState());
                aim.admin().call(() -> aim.admin().libvirt().powerOnDomain(PowerOnDomainRequest.newBuilder()
                        .setDomain(DomainRef.newBuilder().setUuid(added)).build()));
                await("cw-added running", LONG,
                        () -> watcher.domains().get(added).getState() == DomainState.DOMAIN_STATE_RUNNING);
                assertTrue(recorder.events.stream().anyMatch(e -> e.getDomainUuid().equals(added)));

                watcher.modify(List.of(), List.of(DomainRef.newBuilder().setName("cw-first").build()));
                assertEquals(Set.of(added), watcher.domains().keySet());
                assertFalse(recorder.deleted.stream().anyMatch(d -> d.getDomainUuid().equals(first)),
                        "unwatched is not deleted");
            }
        }
    }

    @Test
    void aFilterTheAgentRefusesStopsTheWatcherWithItsReason() throws Exception {
        try (RunningAim aim = new RunningAim("");
                AimClient client = AimClient.builder("127.0.0.1:" + aim.port()).build()) {
            WatchRecorder recorder = new WatchRecorder();
            try (EventWatcher watcher = client.watcher(recorder)
                    .domains(List.of(DomainRef.newBuilder().setUuid("not-a-uuid").build())).start()) {
                AimClientException failure = watcher.failure().get(30, TimeUnit.SECONDS);
                assertEquals(Status.Code.INVALID_ARGUMENT, failure.code());
                assertFalse(failure.reasonName().isEmpty());
                assertTrue(failure.getMessage().contains("not-a-uuid"), failure.getMessage());
            }
        }
    }

    private static boolean subscriptionOpen(RunningAim aim, String id) {
        try {
            aim.admin().events().modifySubscription(ModifySubscriptionRequest.newBuilder().setSubscriptionId(id)
                    .build());
            return true;
        } catch (StatusRuntimeException ended) {
            assertEquals(Status.Code.NOT_FOUND, ended.getStatus().getCode());
            return false;
        }
    }

    /**
     * The sequence of the last of {@code events} events the test's calls made after {@code before}, once the journal
     * holds them all: libvirt's test driver reports an event a moment after its call, so reading the journal's newest
     * sequence right after the calls can miss the last ones (and a watcher handling in batches steps over that value).
     */
    static long awaitJournaled(RunningAim aim, long before, int events) {
        return awaitJournaled(() -> lastIssued(aim), before, events);
    }

    /** As {@link #awaitJournaled(RunningAim, long, int)}, for an agent whose newest sequence {@code newest} reads. */
    static long awaitJournaled(java.util.function.LongSupplier newest, long before, int events) {
        long last = before + events;
        await("the journal holds the " + events + " events after " + before, LONG,
                () -> newest.getAsLong() >= last);
        assertEquals(last, newest.getAsLong(), "exactly the calls' events");
        return last;
    }

    static long lastIssued(RunningAim aim) {
        return aim.admin().events().listEvents(ListEventsRequest.newBuilder().setMaxEvents(1)
                .setAfterSequence(0).build()).getLastSequence();
    }

    /** Every sequence the agent's journal holds after {@code after}. */
    static List<Long> journalAfter(RunningAim aim, long after) {
        List<Long> sequences = new ArrayList<>();
        long next = after;
        while (true) {
            ListEventsResponse page = aim.admin().events().listEvents(ListEventsRequest.newBuilder()
                    .setAfterSequence(next).setMaxEvents(10_000).build());
            page.getEventsList().forEach(e -> sequences.add(e.getSequence()));
            if (page.getNextAfterSequence() >= page.getLastSequence()) {
                return sequences;
            }
            next = page.getNextAfterSequence();
        }
    }
}
