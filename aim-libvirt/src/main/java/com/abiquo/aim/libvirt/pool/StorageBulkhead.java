package com.abiquo.aim.libvirt.pool;

import com.abiquo.aim.libvirt.LibvirtErrorReason;
import com.abiquo.aim.core.error.AimException;
import com.google.common.cache.CacheBuilder;
import com.google.common.cache.CacheLoader;
import com.google.common.cache.LoadingCache;
import com.google.common.util.concurrent.MoreExecutors;
import io.grpc.Status;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executor;
import java.util.concurrent.FutureTask;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.Logger;

/**
 * Runs work that may hang (libvirt calls that reach an iSCSI portal: libiscsi retries for a long time against a
 * portal that stopped answering) on a bounded set of threads and gives up waiting after a deadline. A native libvirt
 * call cannot be interrupted: the abandoned call finishes on its own while the caller gets DEADLINE_EXCEEDED.
 *
 * <p>Work on one pool can be put in that pool's lane: the lane runs its work one piece after another, in order
 * (Guava's sequential executor over the bounded threads; an idle lane is forgotten). Clean-up after a failure
 * ({@link #finish}) goes into the same lane, so it runs only once the call it cleans up after has returned from
 * libvirt, never beside it.
 *
 * <p>A bulkhead: a bounded set of threads and a bounded number of waiting calls, each caller waiting at most its
 * timeout. (Not to be confused with {@code io.grpc.Deadline}, the gRPC call's own deadline, which
 * {@link PoolChanges} also honours.)
 */
public final class StorageBulkhead implements AutoCloseable {
    /** libvirtd serves at most 5 concurrent calls of one client (max_client_requests): more threads only wait. */
    public static final int DEFAULT_THREADS = 8;
    /**
     * Calls waiting for a thread or their lane, beyond the threads' own, are refused as RESOURCE_EXHAUSTED (a call
     * abandoned after its deadline no longer counts: it holds a thread, not a caller).
     */
    public static final int DEFAULT_WAITING = 64;
    private static final Logger LOG = LogManager.getLogger(StorageBulkhead.class);

    /** Work that may fail with a typed error. */
    @FunctionalInterface
    public interface Work<T> {
        T run() throws AimException;
    }

    /** DEADLINE_EXCEEDED, saying whether the work had started (then it may still be running in libvirt). */
    public static final class Exceeded extends AimException {
        private final boolean started;

        Exceeded(String message, Map<String, String> metadata, boolean started) {
            super(Status.Code.DEADLINE_EXCEEDED, LibvirtErrorReason.STORAGE_CALL_TIMEOUT, message, metadata, null);
            this.started = started;
        }

        public boolean started() {
            return started;
        }
    }

    private final int threadCount;
    private final int maxPending;
    private final AtomicInteger threadNumber = new AtomicInteger();
    private final AtomicInteger pending = new AtomicInteger();
    private final ThreadPoolExecutor threads;
    /**
     * Lanes by pool name. Weakly held: a lane with work queued or running is held by the thread running it; an idle
     * one is collected, and the next call on that pool gets a fresh (empty) one, which is the same thing.
     */
    private final LoadingCache<String, Executor> lanes;

    public StorageBulkhead() {
        this(DEFAULT_THREADS, DEFAULT_WAITING);
    }

    StorageBulkhead(int threadCount, int waiting) {
        this.threadCount = threadCount;
        this.maxPending = threadCount + waiting;
        threads = new ThreadPoolExecutor(threadCount, threadCount, 30, TimeUnit.SECONDS, new LinkedBlockingQueue<>(),
                runnable -> {
                    Thread thread = new Thread(runnable, "storage-libvirt-" + threadNumber.incrementAndGet());
                    thread.setDaemon(true);
                    return thread;
                });
        threads.allowCoreThreadTimeOut(true);
        lanes = CacheBuilder.newBuilder().weakValues()
                .build(CacheLoader.from(pool -> MoreExecutors.newSequentialExecutor(threads)));
    }

    /** Runs work outside any lane (reads that do not change a pool). */
    public <T> T run(String what, Duration timeout, Work<T> work) throws AimException {
        return run(what, Optional.empty(), timeout, work);
    }

    /**
     * Runs work in the lane of {@code pool} (when given), waiting at most {@code timeout} from now, time spent waiting
     * for earlier work of the lane included. On time-out, work that has not started is dropped; work that has
     * started goes on (libvirt cannot be interrupted) and the lane waits for it.
     */
    public <T> T run(String what, Optional<String> pool, Duration timeout, Work<T> work) throws AimException {
        if (pending.incrementAndGet() > maxPending) {
            pending.decrementAndGet();
            throw new AimException(Status.Code.RESOURCE_EXHAUSTED, LibvirtErrorReason.STORAGE_CALLS_EXHAUSTED, what + " was refused:"
                    + " " + maxPending + " libvirt storage calls are already running or waiting for the "
                    + threadCount + " storage threads (libvirtd or an iSCSI portal is not answering)",
                    metadata(pool), null);
        }
        Task<T> task = new Task<>(work);
        submit(pool, task);
        try {
            return task.get(timeout.toNanos(), TimeUnit.NANOSECONDS);
        } catch (TimeoutException late) {
            task.cancel(false);   // drops it if it has not started; a running libvirt call goes on
            forget(pool, task);
            throw exceeded(what, pool, timeout, task.started.get());
        } catch (InterruptedException interrupted) {
            task.cancel(false);
            forget(pool, task);
            Thread.currentThread().interrupt();
            throw new AimException(Status.Code.CANCELLED, LibvirtErrorReason.STORAGE_CALL_INTERRUPTED, what + " was interrupted",
                    metadata(pool), interrupted);
        } catch (ExecutionException failed) {
            if (failed.getCause() instanceof AimException aim) {
                throw aim;
            }
            throw AimException.internal(LibvirtErrorReason.STORAGE_CALL_FAILED, what + " failed unexpectedly", failed.getCause());
        }
    }

    /**
     * Clean-up that must run after everything already in the pool's lane (a call that timed out included) and is
     * never dropped. Waits for it at most {@code wait} (zero: not at all); a failure is logged.
     */
    public void finish(String what, String pool, Duration wait, Work<?> work) {
        pending.incrementAndGet();
        Task<?> task = new Task<>(() -> {
            try {
                return work.run();
            } catch (AimException | RuntimeException failure) {
                LOG.warn("{} failed: {}", what, failure.getMessage());
                return null;
            }
        });
        submit(Optional.of(pool), task);
        if (wait.isZero() || wait.isNegative()) {
            return;
        }
        try {
            task.get(wait.toNanos(), TimeUnit.NANOSECONDS);
        } catch (TimeoutException late) {
            LOG.warn("{} has not finished within {}; it runs once libvirt returns the earlier call on storage pool {}",
                    what, describe(wait), pool);
        } catch (InterruptedException interrupted) {
            Thread.currentThread().interrupt();
        } catch (ExecutionException impossible) {
            LOG.warn("{} failed: {}", what, impossible.getCause().toString());
        }
    }

    private void submit(Optional<String> pool, Task<?> task) {
        Executor executor = pool.isEmpty() ? threads : lanes.getUnchecked(pool.get());
        try {
            executor.execute(task);
        } catch (RejectedExecutionException closed) {
            // Only after close(): the module is stopping.
            throw new IllegalStateException("the storage call threads are stopped", closed);
        }
    }

    /** Drops work that has not started: cancelled, it does nothing when its turn comes; here it leaves the queue. */
    private void forget(Optional<String> pool, Task<?> task) {
        if (pool.isEmpty()) {
            threads.remove(task);
        }
    }

    private Exceeded exceeded(String what, Optional<String> pool, Duration timeout, boolean started) {
        String within = describe(timeout) + " ([storage] commandTimeoutSeconds)";
        String message;
        if (started) {
            message = what + " did not finish within " + within + "; libvirt goes on with it in the background"
                    + pool.map(name -> " and later calls on storage pool " + name + " wait for it").orElse("");
        } else if (pool.isPresent()) {
            message = what + " did not start within " + within + ": an earlier call on storage pool " + pool.get()
                    + " has not returned from libvirt";
        } else {
            message = what + " did not start within " + within + ": all " + threadCount + " storage threads are"
                    + " busy with calls libvirt has not returned";
        }
        return new Exceeded(message, metadata(pool), started);
    }

    private static Map<String, String> metadata(Optional<String> pool) {
        return pool.map(name -> Map.of("pool", name)).orElse(Map.of());
    }

    static String describe(Duration duration) {
        return duration.toMillis() % 1000 == 0 ? duration.toSeconds() + " s" : duration.toMillis() + " ms";
    }

    /** Threads started so far (for tests: the pool is bounded). */
    int largestThreadCount() {
        return threads.getLargestPoolSize();
    }

    /** Work waiting for a thread or its lane, or running for a caller still waiting. */
    int pending() {
        return pending.get();
    }

    @Override
    public void close() {
        threads.shutdownNow();
    }

    /** A piece of work that knows whether it started; leaves the pending count once, when done or dropped. */
    private final class Task<T> extends FutureTask<T> {
        final AtomicBoolean started;
        private final AtomicBoolean counted;

        Task(Work<T> work) {
            this(work, new AtomicBoolean(), new AtomicBoolean(true));
        }

        private Task(Work<T> work, AtomicBoolean started, AtomicBoolean counted) {
            super(() -> {
                started.set(true);
                try {
                    return work.run();
                } finally {
                    leave(counted);   // before the caller can see the result
                }
            });
            this.started = started;
            this.counted = counted;
        }

        @Override
        protected void done() {
            leave(counted);   // cancelled: dropped from its queue, or abandoned while libvirt goes on
        }
    }

    private void leave(AtomicBoolean counted) {
        if (counted.compareAndSet(true, false)) {
            pending.decrementAndGet();
        }
    }
}
