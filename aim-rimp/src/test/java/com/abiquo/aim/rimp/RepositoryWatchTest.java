package com.abiquo.aim.rimp;

import static org.junit.jupiter.api.Assertions.assertTrue;

import com.abiquo.aim.rimp.image.RepositoryCheck;
import com.abiquo.aim.testing.NegativeCheck;
import com.abiquo.aim.testing.Waits;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * A repository check that hangs (as a stat on a dead NFS mount does) neither stalls the scheduler that every module
 * shares nor goes unnoticed: the service turns NOT_SERVING, and SERVING again once a check answers.
 */
class RepositoryWatchTest {
    private static final Duration WAIT = Duration.ofSeconds(10);

    private final ScheduledExecutorService sharedScheduler = Executors.newSingleThreadScheduledExecutor();
    private final Map<String, String> health = new ConcurrentHashMap<>();
    private final CountDownLatch mountComesBack = new CountDownLatch(1);
    private final AtomicInteger checks = new AtomicInteger();

    @AfterEach
    void tearDown() {
        mountComesBack.countDown();
        sharedScheduler.shutdownNow();
    }

    /** Checks like the service does: stats the repository (here: waits for the hung mount), then reports. */
    private RepositoryCheck hungCheck() {
        checks.incrementAndGet();
        try {
            mountComesBack.await();
        } catch (InterruptedException interrupted) {
            Thread.currentThread().interrupt();
        }
        health.put("rimp", "SERVING");
        return new RepositoryCheck(Path.of("/opt/vm_repository"), true, List.of());
    }

    @Test
    void aHungCheckMarksNotServingWithoutStallingTheSharedScheduler() throws Exception {
        try (RepositoryWatch watch = new RepositoryWatch(this::hungCheck, why -> health.put("rimp",
                "NOT_SERVING: " + why), Duration.ofMillis(200))) {
            AtomicInteger otherModulesTimer = new AtomicInteger();
            sharedScheduler.scheduleWithFixedDelay(watch::tick, 0, 50, TimeUnit.MILLISECONDS);
            sharedScheduler.scheduleWithFixedDelay(otherModulesTimer::incrementAndGet, 0, 50, TimeUnit.MILLISECONDS);

            // a stalled scheduler (the hung check on its thread) would run the other timer once, not ten times
            Waits.await("the shared scheduler to run another module's 50 ms timer 10 times while the check hangs",
                    WAIT, () -> otherModulesTimer.get() >= 10);
            Waits.await("NOT_SERVING once the check has hung for longer than its 200 ms bound", WAIT,
                    () -> health.getOrDefault("rimp", "").startsWith("NOT_SERVING: the repository check has not "
                            + "answered"));
            // Bounded negative check: the watch ticks every 50 ms and has ticked about ten times while we waited
            // above; four more ticks without a second check are enough to say that none starts.
            NegativeCheck.during(Duration.ofMillis(200), "a second check starts while one hangs",
                    () -> checks.get() > 1);

            mountComesBack.countDown();
            Waits.await("SERVING once the check answers", WAIT, () -> "SERVING".equals(health.get("rimp")));
        }
    }

    @Test
    void theStartUpCheckWaitsAtMostTheBound() {
        try (RepositoryWatch watch = new RepositoryWatch(this::hungCheck, why -> health.put("rimp",
                "NOT_SERVING: " + why), Duration.ofMillis(300))) {
            long started = System.nanoTime();
            assertTrue(watch.checkNow().isEmpty());
            long millis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started);
            assertTrue(millis < 2_000, "start-up waited " + millis + " ms");
            assertTrue(health.get("rimp").startsWith("NOT_SERVING"), String.valueOf(health));
        }
    }
}
