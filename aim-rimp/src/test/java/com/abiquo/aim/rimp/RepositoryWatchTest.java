package com.abiquo.aim.rimp;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.abiquo.aim.rimp.image.RepositoryCheck;
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

            Thread.sleep(1_000);

            assertTrue(otherModulesTimer.get() >= 10, "the shared scheduler ran another module's timer only "
                    + otherModulesTimer.get() + " times in 1 s");
            assertTrue(health.getOrDefault("rimp", "").startsWith("NOT_SERVING: the repository check has not "
                    + "answered"), String.valueOf(health));
            assertEquals(1, checks.get(), "no second check starts while one hangs");

            mountComesBack.countDown();
            for (int i = 0; i < 100 && !"SERVING".equals(health.get("rimp")); i++) {
                Thread.sleep(20);
            }
            assertEquals("SERVING", health.get("rimp"));
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
