package com.abiquo.aim.server.calls;

import static java.util.Objects.requireNonNull;

import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Semaphore;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The threads of one {@link CallClass} and a bound on its calls in flight (running plus waiting for a thread).
 * A call that finds the bound reached is refused at once instead of joining an unbounded queue.
 */
public final class CallPool {
    private final CallClass callClass;
    private final int threads;
    private final int maxInFlight;
    private final Semaphore admissions;
    private final ExecutorService executor;

    public CallPool(CallClass callClass, int threads, int maxQueued) {
        this.callClass = requireNonNull(callClass, "callClass is null");
        if (threads < 1 || maxQueued < 0) {
            throw new IllegalArgumentException("threads must be at least 1 and maxQueued at least 0");
        }
        this.threads = threads;
        this.maxInFlight = threads + maxQueued;
        this.admissions = new Semaphore(maxInFlight);
        this.executor = Executors.newFixedThreadPool(threads, named("aim-" + callClass.name().toLowerCase() + "-"));
    }

    public CallClass callClass() {
        return callClass;
    }

    public int threads() {
        return threads;
    }

    public int maxInFlight() {
        return maxInFlight;
    }

    public int inFlight() {
        return maxInFlight - admissions.availablePermits();
    }

    /** Takes a place for one call; false when maxInFlight calls of this class are already admitted. */
    boolean tryAdmit() {
        return admissions.tryAcquire();
    }

    /** Gives back the place of a call that ended. */
    void release() {
        admissions.release();
    }

    ExecutorService executor() {
        return executor;
    }

    /** Stops taking work and waits up to the given time for the running tasks; cancels what is left. */
    void shutdown(long timeout, TimeUnit unit) {
        executor.shutdown();
        try {
            if (!executor.awaitTermination(timeout, unit)) {
                executor.shutdownNow();
            }
        } catch (InterruptedException interrupted) {
            executor.shutdownNow();
            Thread.currentThread().interrupt();
        }
    }

    private static ThreadFactory named(String prefix) {
        AtomicInteger counter = new AtomicInteger();
        return runnable -> new Thread(runnable, prefix + counter.incrementAndGet());
    }
}
