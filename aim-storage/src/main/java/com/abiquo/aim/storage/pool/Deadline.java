package com.abiquo.aim.storage.pool;

import com.abiquo.aim.core.error.AimException;
import io.grpc.Status;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Runs work that may hang (libvirt calls that reach an iSCSI portal: libiscsi retries for a long time against a
 * portal that stopped answering) on its own thread and gives up waiting after a deadline. The abandoned call
 * finishes on its own; the caller gets DEADLINE_EXCEEDED instead of a stuck request thread.
 */
public final class Deadline implements AutoCloseable {
    /** Work that may fail with a typed error. */
    @FunctionalInterface
    public interface Work<T> {
        T run() throws AimException;
    }

    private final AtomicInteger threadNumber = new AtomicInteger();
    private final ExecutorService threads = Executors.newCachedThreadPool(runnable -> {
        Thread thread = new Thread(runnable, "storage-libvirt-" + threadNumber.incrementAndGet());
        thread.setDaemon(true);
        return thread;
    });

    public <T> T run(String what, Duration timeout, Work<T> work) throws AimException {
        Future<T> result = threads.submit(work::run);
        try {
            return result.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (TimeoutException late) {
            result.cancel(true);
            throw new AimException(Status.Code.DEADLINE_EXCEEDED, "STORAGE_CALL_TIMEOUT", what
                    + " did not finish within " + timeout.toSeconds() + " s ([storage] commandTimeoutSeconds)",
                    Map.of(), null);
        } catch (InterruptedException interrupted) {
            result.cancel(true);
            Thread.currentThread().interrupt();
            throw new AimException(Status.Code.CANCELLED, "STORAGE_CALL_INTERRUPTED", what + " was interrupted",
                    Map.of(), interrupted);
        } catch (ExecutionException failed) {
            if (failed.getCause() instanceof AimException aim) {
                throw aim;
            }
            throw AimException.internal("STORAGE_CALL_FAILED", what + " failed unexpectedly", failed.getCause());
        }
    }

    @Override
    public void close() {
        threads.shutdownNow();
    }
}
