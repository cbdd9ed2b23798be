package com.abiquo.aim.libvirt.domain;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.abiquo.aim.core.error.AimException;
import com.abiquo.aim.libvirt.LibvirtErrorReason;
import com.abiquo.aim.testing.Waits;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Callers share reads, but only reads that start after they asked: what a client that acted and then reads relies on.
 * Each read here answers the number of reads started so far, so a caller's answer tells which read it got.
 */
class JoinedReadsTest {
    private static final Duration WAIT = Duration.ofSeconds(10);

    private final JoinedReads<String> reads = new JoinedReads<>();
    private final AtomicInteger started = new AtomicInteger();
    private final ExecutorService callers = Executors.newCachedThreadPool();
    private final List<Thread> callerThreads = new ArrayList<>();

    @AfterEach
    void stop() throws InterruptedException {
        callers.shutdownNow();
        callers.awaitTermination(10, TimeUnit.SECONDS);
    }

    @Test
    void callersWhoAskWhileAReadRunsShareTheNextReadNotTheRunningOne() throws Exception {
        CountDownLatch firstMayAnswer = new CountDownLatch(1);
        Future<Integer> first = ask("domain-a", firstMayAnswer);
        Waits.await("the first read to start", WAIT, () -> started.get() == 1);
        Future<Integer> nextLeader = ask("domain-a", null);
        awaitCallersWaiting(2);

        // Joiners are answered later: their threads (this one) are free at once, and they never run a read
        List<CompletableFuture<Integer>> joined = new ArrayList<>();
        for (int i = 0; i < 4; i++) {
            joined.add(reads.read("domain-a", () -> {
                throw new AssertionError("a caller who joined ran a read");
            }));
        }
        assertTrue(joined.stream().noneMatch(CompletableFuture::isDone), "answered before the second read ran");
        assertEquals(1, started.get(), "no second read may start while the first runs");

        firstMayAnswer.countDown();
        assertEquals(1, first.get(10, TimeUnit.SECONDS));
        assertEquals(2, nextLeader.get(10, TimeUnit.SECONDS));
        for (CompletableFuture<Integer> answer : joined) {
            assertEquals(2, answer.get(10, TimeUnit.SECONDS), "a caller got a read that started before it asked");
        }
        assertEquals(2, started.get(), "six callers, two reads");
        assertEquals(0, reads.keysInFlight(), "nothing is kept once the reads end");
    }

    @Test
    void aFailureReachesEveryCallerOfThatReadAndTheNextCallerReadsAgain() throws Exception {
        AimException missing = AimException.notFound(LibvirtErrorReason.DOMAIN_NOT_FOUND, "domain 'a' not found");
        CountDownLatch firstMayAnswer = new CountDownLatch(1);
        Future<Integer> first = ask("domain-a", firstMayAnswer);
        Waits.await("the first read to start", WAIT, () -> started.get() == 1);
        CountDownLatch secondMayAnswer = new CountDownLatch(1);
        Future<?> secondLeader = callers.submit(() -> {
            register();
            return JoinedReads.await(reads.read("domain-a", () -> {
                started.incrementAndGet();
                awaitUninterruptibly(secondMayAnswer);
                throw missing;
            }));
        });
        awaitCallersWaiting(2);
        CompletableFuture<Integer> joined = reads.read("domain-a", () -> 0);

        firstMayAnswer.countDown();
        assertEquals(1, first.get(10, TimeUnit.SECONDS));
        Waits.await("the second read to start", WAIT, () -> started.get() == 2);
        secondMayAnswer.countDown();
        ExecutionException leaderFailure = assertThrows(ExecutionException.class,
                () -> secondLeader.get(10, TimeUnit.SECONDS));
        assertSame(missing, leaderFailure.getCause());
        assertSame(missing, assertThrows(AimException.class, () -> JoinedReads.await(joined)));

        assertEquals(3, ask("domain-a", null).get(10, TimeUnit.SECONDS), "a failed read is not remembered");
        assertEquals(0, reads.keysInFlight());
    }

    @Test
    void aCallerWhoCancelsItsAnswerChangesNoOneElses() throws Exception {
        CountDownLatch firstMayAnswer = new CountDownLatch(1);
        Future<Integer> first = ask("domain-a", firstMayAnswer);
        Waits.await("the first read to start", WAIT, () -> started.get() == 1);
        Future<Integer> nextLeader = ask("domain-a", null);
        awaitCallersWaiting(2);
        CompletableFuture<Integer> cancelled = reads.read("domain-a", () -> 0);
        CompletableFuture<Integer> kept = reads.read("domain-a", () -> 0);

        cancelled.cancel(false);
        firstMayAnswer.countDown();
        assertEquals(1, first.get(10, TimeUnit.SECONDS));
        assertEquals(2, nextLeader.get(10, TimeUnit.SECONDS));
        assertEquals(2, kept.get(10, TimeUnit.SECONDS));
    }

    @Test
    void anUndeclaredCheckedFailureOfTheReadStillAnswersEveryCaller() throws Exception {
        Exception undeclared = new java.io.IOException("libvirt's socket went away");
        CountDownLatch firstMayAnswer = new CountDownLatch(1);
        Future<Integer> first = callers.submit(() -> {
            register();
            return JoinedReads.await(reads.read("domain-a", () -> {
                started.incrementAndGet();
                awaitUninterruptibly(firstMayAnswer);
                return JoinedReadsTest.<Integer, RuntimeException>sneakyThrow(undeclared);
            }));
        });
        Waits.await("the first read to start", WAIT, () -> started.get() == 1);
        Future<Integer> nextLeader = ask("domain-a", null);
        awaitCallersWaiting(2);

        firstMayAnswer.countDown();
        ExecutionException failed = assertThrows(ExecutionException.class, () -> first.get(10, TimeUnit.SECONDS));
        assertSame(undeclared, failed.getCause().getCause(), "the read's own failure, wrapped once");
        assertEquals(2, nextLeader.get(10, TimeUnit.SECONDS), "the next read ran although the first one failed");
        assertEquals(0, reads.keysInFlight());
    }

    /** What JNA can do: throw a checked exception the method does not declare. */
    @SuppressWarnings("unchecked")
    private static <T, E extends Exception> T sneakyThrow(Exception failure) throws E {
        throw (E) failure;
    }

    @Test
    void differentQuestionsDoNotWaitForEachOther() throws Exception {
        CountDownLatch aMayAnswer = new CountDownLatch(1);
        Future<Integer> a = ask("domain-a", aMayAnswer);
        Waits.await("the read of domain-a to start", WAIT, () -> started.get() == 1);

        assertEquals(2, ask("domain-b", null).get(10, TimeUnit.SECONDS), "domain-b waited for domain-a's read");
        aMayAnswer.countDown();
        assertEquals(1, a.get(10, TimeUnit.SECONDS));
    }

    /** A caller of {@code key} whose read, if it leads one, answers once {@code mayAnswer} opens (null: at once). */
    private Future<Integer> ask(String key, CountDownLatch mayAnswer) {
        return callers.submit(() -> {
            register();
            return JoinedReads.await(reads.read(key, () -> {
                int number = started.incrementAndGet();
                if (mayAnswer != null) {
                    awaitUninterruptibly(mayAnswer);
                }
                return number;
            }));
        });
    }

    private synchronized void register() {
        callerThreads.add(Thread.currentThread());
    }

    /** Waits until {@code count} callers on threads of their own are parked: in a read, or waiting to lead one. */
    private void awaitCallersWaiting(int count) {
        Waits.await(count + " callers waiting", WAIT, () -> {
            synchronized (this) {
                return callerThreads.size() == count && callerThreads.stream()
                        .allMatch(thread -> thread.getState() == Thread.State.WAITING);
            }
        });
    }

    private static void awaitUninterruptibly(CountDownLatch latch) {
        boolean interrupted = false;
        while (true) {
            try {
                latch.await();
                break;
            } catch (InterruptedException stop) {
                interrupted = true;
            }
        }
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
    }
}
