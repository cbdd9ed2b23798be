package com.abiquo.aim.rimp;

import static java.util.Objects.requireNonNull;

import com.abiquo.aim.rimp.image.RepositoryCheck;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Consumer;
import java.util.function.Supplier;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.Logger;

/**
 * Re-checks the repository on a thread of its own. The check stats an NFS mount, which can hang for minutes when
 * the server is gone; on the shared scheduler that would stall every module's timers. Here a check that has not
 * answered within the bound is reported (the service becomes NOT_SERVING) and no second check is started until the
 * hung one returns, so at most one thread is ever stuck.
 */
final class RepositoryWatch implements AutoCloseable {
    private static final Logger LOG = LogManager.getLogger(RepositoryWatch.class);

    private final Supplier<RepositoryCheck> check;
    private final Consumer<String> unanswered;
    private final Duration bound;
    private final ExecutorService thread = Executors.newSingleThreadExecutor(runnable -> {
        Thread named = new Thread(runnable, "aim-rimp-repository-check");
        named.setDaemon(true); // a check stuck in the kernel must not keep the agent from exiting
        return named;
    });
    private Future<RepositoryCheck> inFlight;
    private long startedNanos;

    /**
     * @param check checks the repository and reports the health it finds (may block on a hung mount)
     * @param unanswered reports NOT_SERVING with the given reason (must not block)
     */
    RepositoryWatch(Supplier<RepositoryCheck> check, Consumer<String> unanswered, Duration bound) {
        this.check = requireNonNull(check, "check is null");
        this.unanswered = requireNonNull(unanswered, "unanswered is null");
        this.bound = requireNonNull(bound, "bound is null");
    }

    /** Checks now and waits at most the bound (start-up); empty when the check did not answer in time. */
    Optional<RepositoryCheck> checkNow() {
        Future<RepositoryCheck> running = startIfIdle();
        try {
            return Optional.of(running.get(bound.toNanos(), TimeUnit.NANOSECONDS));
        } catch (TimeoutException slow) {
            reportUnanswered();
            return Optional.empty();
        } catch (ExecutionException failure) {
            LOG.warn("The repository check failed", failure.getCause());
            return Optional.empty();
        } catch (InterruptedException interrupted) {
            Thread.currentThread().interrupt();
            return Optional.empty();
        }
    }

    /** From the shared scheduler: starts a check, or reports one that hangs; never blocks. */
    void tick() {
        synchronized (this) {
            if (inFlight == null || inFlight.isDone()) {
                startIfIdle();
                return;
            }
            if (System.nanoTime() - startedNanos < bound.toNanos()) {
                return;
            }
        }
        reportUnanswered();
    }

    private synchronized Future<RepositoryCheck> startIfIdle() {
        if (inFlight == null || inFlight.isDone()) {
            startedNanos = System.nanoTime();
            inFlight = thread.submit(check::get);
        }
        return inFlight;
    }

    private void reportUnanswered() {
        long seconds;
        synchronized (this) {
            seconds = TimeUnit.NANOSECONDS.toSeconds(System.nanoTime() - startedNanos);
        }
        String why = "the repository check has not answered for " + seconds + " s (is the NFS repository hung?)";
        LOG.warn("Rimp: {}", why);
        unanswered.accept(why);
    }

    @Override
    public void close() {
        thread.shutdownNow();
    }
}
