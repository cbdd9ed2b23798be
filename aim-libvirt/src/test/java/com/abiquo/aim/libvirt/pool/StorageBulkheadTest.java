package com.abiquo.aim.libvirt.pool;

import com.abiquo.aim.libvirt.LibvirtErrorReason;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.abiquo.aim.core.error.AimException;
import com.abiquo.aim.testing.Waits;
import io.grpc.Status;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Real threads and real waits: the work stands in for a libvirt call that does not return until released. */
class StorageBulkheadTest {
    /** For a call that must NOT start (every thread or its lane is held): it gives up at this deadline. */
    private static final Duration SHORT = Duration.ofMillis(300);
    /**
     * For a call that must start on a free thread and then hang until it times out: long enough for a new thread to be
     * scheduled on a loaded machine (300 ms was not always), short because the test waits all of it.
     */
    private static final Duration STARTS = Duration.ofSeconds(2);
    /** For a call that must succeed: a bound that only a broken bulkhead reaches. */
    private static final Duration LONG = Duration.ofSeconds(10);
    private final CountDownLatch release = new CountDownLatch(1);

    @AfterEach
    void releaseHangingWork() {
        release.countDown();
    }

    /** Work that ignores interrupts, as a native libvirt call does, until the test releases it. */
    private StorageBulkhead.Work<String> hang(List<String> log, String name) {
        return () -> {
            log.add(name + " started");
            boolean released = false;
            while (!released) {
                try {
                    released = release.await(10, TimeUnit.SECONDS);
                } catch (InterruptedException ignored) {
                    // libvirt calls go on whatever Java does
                }
            }
            log.add(name + " returned");
            return name;
        };
    }

    @Test
    void returnsTheResultAndPassesTypedFailuresOn() throws Exception {
        try (StorageBulkhead bulkhead = new StorageBulkhead()) {
            assertEquals("done", bulkhead.run("work", Duration.ofSeconds(5), () -> "done"));
            assertEquals("done", bulkhead.run("work", Optional.of("p"), Duration.ofSeconds(5), () -> "done"));
            AimException typed = AimException.notFound(LibvirtErrorReason.VOLUME_NOT_FOUND, "no such thing");
            assertSame(typed, assertThrows(AimException.class,
                    () -> bulkhead.run("work", Duration.ofSeconds(5), () -> {
                        throw typed;
                    })));
            AimException unexpected = assertThrows(AimException.class,
                    () -> bulkhead.run("work", Duration.ofSeconds(5), () -> {
                        throw new IllegalStateException("bug");
                    }));
            assertEquals(Status.Code.INTERNAL, unexpected.code());
            assertEquals(0, bulkhead.pending());
        }
    }

    @Test
    void givesUpOnWorkThatHangsNamingTheOperationAndPool() throws Exception {
        List<String> log = Collections.synchronizedList(new ArrayList<>());
        try (StorageBulkhead bulkhead = new StorageBulkhead()) {
            long start = System.nanoTime();
            AimException late = assertThrows(AimException.class,
                    () -> bulkhead.run("refreshing storage pool p", Optional.of("p"), STARTS, hang(log, "refresh")));
            assertEquals(Status.Code.DEADLINE_EXCEEDED, late.code());
            assertTrue(late.getMessage().startsWith("refreshing storage pool p did not finish within 2 s"),
                    late.getMessage());
            assertEquals("p", late.metadata().get("pool"));
            assertTrue(((StorageBulkhead.Exceeded) late).started());
            // The work never returns on its own: a caller that waited for it instead of its deadline would not be
            // back within the deadline plus a margin a loaded machine needs.
            assertTrue(System.nanoTime() - start < STARTS.plus(LONG).toNanos());
        }
    }

    @Test
    void theThreadsAreBoundedAndCallsBeyondThemWaitThenGiveUp() throws Exception {
        List<String> log = Collections.synchronizedList(new ArrayList<>());
        try (StorageBulkhead bulkhead = new StorageBulkhead(2, 64)) {
            for (int i = 0; i < 5; i++) {
                String name = "call" + i;
                // Calls 0 and 1 must start (a free thread each); the others must not (both threads are held).
                Duration deadline = i < 2 ? STARTS : SHORT;
                AimException late = assertThrows(AimException.class,
                        () -> bulkhead.run("listing storage pools", deadline, hang(log, name)));
                assertEquals(Status.Code.DEADLINE_EXCEEDED, late.code());
                if (i >= 2) {
                    // Both threads hold calls libvirt has not returned: this one never started.
                    assertTrue(late.getMessage().contains("did not start within 300 ms"), late.getMessage());
                    assertTrue(late.getMessage().contains("all 2 storage threads are busy"), late.getMessage());
                }
            }
            assertEquals(2, bulkhead.largestThreadCount());
            assertEquals(List.of("call0 started", "call1 started"), log);
            release.countDown();
            // The abandoned calls end and free their threads; work runs again.
            assertEquals("ok", bulkhead.run("listing storage pools", LONG, () -> "ok"));
            assertEquals(2, bulkhead.largestThreadCount());
        }
    }

    @Test
    void tooManyWaitingCallsAreRefusedAtOnce() throws Exception {
        List<String> log = Collections.synchronizedList(new ArrayList<>());
        ExecutorService callers = Executors.newFixedThreadPool(3);
        try (StorageBulkhead bulkhead = new StorageBulkhead(1, 1)) {
            // Must start, to hold the only thread: a call dropped before it started would hold nothing.
            assertThrows(AimException.class, () -> bulkhead.run("stuck call", STARTS, hang(log, "stuck")));
            List<Future<String>> waiting = new ArrayList<>();
            for (int i = 0; i < 2; i++) {
                waiting.add(callers.submit(() -> bulkhead.run("waiting call", LONG, () -> "ran")));
            }
            Waits.await("two calls waiting", Duration.ofSeconds(10), () -> bulkhead.pending() >= 2);
            AimException refused = assertThrows(AimException.class, () -> bulkhead.run("one too many", LONG,
                    () -> "never"));
            assertEquals(Status.Code.RESOURCE_EXHAUSTED, refused.code());
            assertTrue(refused.getMessage().startsWith("one too many was refused: 2 libvirt storage calls are already"
                    + " running or waiting for the 1 storage threads"), refused.getMessage());
            release.countDown();
            for (Future<String> call : waiting) {
                assertEquals("ran", call.get(10, TimeUnit.SECONDS));
            }
        } finally {
            callers.shutdownNow();
        }
    }

    @Test
    void cleanUpAfterATimedOutCallWaitsForItAndLaterCallsOnThatPoolDoNotRunBesideIt() throws Exception {
        List<String> log = Collections.synchronizedList(new ArrayList<>());
        try (StorageBulkhead bulkhead = new StorageBulkhead()) {
            StorageBulkhead.Exceeded late = assertThrows(StorageBulkhead.Exceeded.class, () -> bulkhead.run(
                    "creating storage pool p", Optional.of("p"), STARTS, hang(log, "create")));
            assertTrue(late.started());
            CountDownLatch cleaned = new CountDownLatch(1);
            bulkhead.finish("removing storage pool p after a failed start", "p", Duration.ZERO, () -> {
                log.add("cleanup");
                cleaned.countDown();
                return null;
            });

            // The next call on p waits behind the stuck call and is dropped when its caller gives up.
            StorageBulkhead.Exceeded queued = assertThrows(StorageBulkhead.Exceeded.class, () -> bulkhead.run(
                    "refreshing storage pool p", Optional.of("p"), SHORT, () -> log.add("refresh")));
            assertFalse(queued.started());
            assertTrue(queued.getMessage().startsWith("refreshing storage pool p did not start within 300 ms"),
                    queued.getMessage());
            assertTrue(queued.getMessage().contains("an earlier call on storage pool p has not returned from libvirt"),
                    queued.getMessage());
            // Other pools are not held up.
            assertEquals("q", bulkhead.run("refreshing storage pool q", Optional.of("q"), LONG, () -> "q"));
            assertFalse(cleaned.await(200, TimeUnit.MILLISECONDS), "clean-up ran beside the call: " + log);

            release.countDown();
            assertTrue(cleaned.await(10, TimeUnit.SECONDS));
            assertEquals(List.of("create started", "create returned", "cleanup"), log);
            assertEquals("after", bulkhead.run("refreshing storage pool p", Optional.of("p"), LONG, () -> "after"));
        }
    }

    @Test
    void finishWaitsForItsWorkWhenAskedTo() throws Exception {
        AtomicInteger runs = new AtomicInteger();
        try (StorageBulkhead bulkhead = new StorageBulkhead()) {
            bulkhead.finish("clean-up", "p", LONG, () -> runs.incrementAndGet());
            assertEquals(1, runs.get());
            bulkhead.finish("failing clean-up", "p", LONG, () -> {
                throw AimException.notFound(LibvirtErrorReason.VOLUME_NOT_FOUND, "already gone");
            });
            assertEquals(0, bulkhead.pending());
        }
    }
}
