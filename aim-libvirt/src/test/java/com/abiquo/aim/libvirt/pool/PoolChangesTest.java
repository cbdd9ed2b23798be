package com.abiquo.aim.libvirt.pool;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.abiquo.aim.core.error.AimException;
import com.abiquo.aim.core.spi.StoragePoolOperations.PoolSpec;
import com.abiquo.aim.core.spi.StoragePoolOperations.PoolType;
import com.abiquo.aim.libvirt.connection.LibvirtAccess;
import io.grpc.Context;
import io.grpc.Status;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Pool creations and deletions take turns (one at a time on the node); a call that cannot have its turn within its
 * deadline gives up instead of waiting behind a slow one. libvirt is a stand-in that takes its time and returns
 * nothing (what a delete of a pool that is not there needs).
 */
class PoolChangesTest {
    private final ExecutorService callers = Executors.newFixedThreadPool(2);
    private final ScheduledExecutorService scheduler = Executors.newSingleThreadScheduledExecutor();
    private final CountDownLatch release = new CountDownLatch(1);

    @AfterEach
    void tearDown() {
        release.countDown();
        callers.shutdownNow();
        scheduler.shutdownNow();
    }

    /**
     * libvirt where the first call takes {@code first} (with a null, until the test releases it), every later call
     * until the test releases it, and every call returns null; once released, calls return at once.
     */
    private LibvirtAccess slowLibvirt(Duration first, CountDownLatch entered) {
        java.util.concurrent.atomic.AtomicBoolean firstCall = new java.util.concurrent.atomic.AtomicBoolean(true);
        return new LibvirtAccess() {
            @Override
            public <T> T call(LibvirtCall<T> call) {
                entered.countDown();
                Duration each = firstCall.getAndSet(false) ? first : null;
                long until = System.nanoTime() + (each == null ? Long.MAX_VALUE / 2 : each.toNanos());
                while (System.nanoTime() < until) {
                    try {
                        if (release.await(Math.min(until - System.nanoTime(), 100_000_000L), TimeUnit.NANOSECONDS)) {
                            break;
                        }
                    } catch (InterruptedException ignored) {
                        // a native libvirt call goes on whatever Java does
                    }
                }
                return null;
            }

            @Override
            public boolean connected() {
                return true;
            }

            @Override
            public String uri() {
                return "test:///slow";
            }
        };
    }

    private static PoolSpec dir(String name) {
        return new PoolSpec(name, PoolType.DIR, "/var/tmp/aimst-" + name, "", 0, "", "", "", Optional.empty());
    }

    @Test
    void aCallThatCannotHaveItsTurnWithinTheTimeoutGivesUpNamingItselfAndWhatHoldsIt() throws Exception {
        CountDownLatch entered = new CountDownLatch(1);
        // Deleting pool a takes two libvirt calls, each of which may take 6 s: the first takes 3 s, the second until
        // the test releases it (at most 6 s, then it times out). The holder keeps the turn from about when b starts
        // waiting until 3 s after b's 6 s are up; both margins (3 s) are what a loaded machine may need.
        LibvirtAccess libvirt = slowLibvirt(Duration.ofSeconds(3), entered);   // one: it counts the calls
        try (LibvirtStoragePools pools = new LibvirtStoragePools(() -> Optional.of(libvirt), Duration.ofSeconds(6))) {
            Future<?> holder = callers.submit(() -> {
                pools.deletePool("a");
                return null;
            });
            assertTrue(entered.await(10, TimeUnit.SECONDS));
            long start = System.nanoTime();
            AimException late = assertThrows(AimException.class, () -> pools.createOrRefresh(dir("b")));
            long millis = (System.nanoTime() - start) / 1_000_000;
            assertEquals(Status.Code.DEADLINE_EXCEEDED, late.code(), late.getMessage());
            // Waited its whole 6 s, and gave up before the holder's second call could have timed out (9 s).
            assertTrue(millis >= 5900 && millis < 9000, "gave up after " + millis + " ms");
            assertTrue(late.getMessage().startsWith("creating storage pool b did not start within 6 s"),
                    late.getMessage());
            assertTrue(late.getMessage().contains("deleting storage pool a"), late.getMessage());
            assertEquals("b", late.metadata().get("pool"));
            // The holder's second call returns now; it ended within its limit, so the delete succeeds.
            release.countDown();
            holder.get(10, TimeUnit.SECONDS);
            // Nothing is left holding the turn.
            pools.deletePool("b");
        }
    }

    @Test
    void theCallersOwnDeadlineBoundsTheWait() throws Exception {
        CountDownLatch entered = new CountDownLatch(1);
        try (LibvirtStoragePools pools = new LibvirtStoragePools(() -> Optional.of(slowLibvirt(null, entered)),
                Duration.ofSeconds(30))) {
            Future<?> holder = callers.submit(() -> pools.createOrRefresh(dir("a")));
            assertTrue(entered.await(10, TimeUnit.SECONDS));
            long start = System.nanoTime();
            AimException late = assertThrows(AimException.class, () -> Context.current()
                    .withDeadlineAfter(300, TimeUnit.MILLISECONDS, scheduler).call(() -> {
                        pools.deletePool("b");
                        return null;
                    }));
            long millis = (System.nanoTime() - start) / 1_000_000;
            assertEquals(Status.Code.DEADLINE_EXCEEDED, late.code(), late.getMessage());
            // Bounded by the 300 ms deadline, not by the 30 s a call may take (a loaded machine may add seconds).
            assertTrue(millis < 10_000, "gave up after " + millis + " ms");
            assertTrue(late.getMessage().startsWith("deleting storage pool b did not start within the call's"
                    + " deadline"), late.getMessage());
            assertTrue(late.getMessage().contains("creating storage pool a"), late.getMessage());
            assertEquals("b", late.metadata().get("pool"));
            assertFalse(holder.isDone());
            release.countDown();
            assertThrows(Exception.class, () -> holder.get(10, TimeUnit.SECONDS));   // libvirt "returned" nothing
        }
    }

    /** libvirt's test driver, with every call counted as a read or an action. */
    private static final class CountingAccess implements LibvirtAccess {
        private final org.libvirt.Connect connect;
        final java.util.List<String> actions = new java.util.concurrent.CopyOnWriteArrayList<>();
        final java.util.concurrent.atomic.AtomicInteger reads = new java.util.concurrent.atomic.AtomicInteger();

        CountingAccess(org.libvirt.Connect connect) {
            this.connect = connect;
        }

        @Override
        public <T> T call(LibvirtCall<T> call) throws AimException {
            reads.incrementAndGet();
            return apply(call);
        }

        @Override
        public <T> T act(String what, LibvirtCall<T> call) throws AimException {
            actions.add(what);
            return apply(call);
        }

        private <T> T apply(LibvirtCall<T> call) throws AimException {
            try {
                return call.apply(connect);
            } catch (org.libvirt.LibvirtException failure) {
                throw new AssertionError(failure);
            }
        }

        @Override
        public boolean connected() {
            return true;
        }

        @Override
        public String uri() {
            return "test:///default";
        }
    }

    @Test
    void poolChangesAndVolumeWritesGoThroughTheActionsPath() throws Exception {
        org.libvirt.Connect connect = new org.libvirt.Connect("test:///default");
        try {
            CountingAccess access = new CountingAccess(connect);
            java.nio.file.Path target = java.nio.file.Files.createTempDirectory("aim-actions-");
            try (LibvirtStoragePools pools = new LibvirtStoragePools(() -> Optional.of(access),
                    Duration.ofSeconds(10))) {
                PoolSpec spec = new PoolSpec("aim-actions", PoolType.DIR, target.toString(), "", 0, "", "", "",
                        Optional.empty());
                pools.createOrRefreshPool(spec);
                pools.createVolume("aim-actions", "disk.raw", 1 << 20, 0, "raw");
                pools.deleteVolume("aim-actions", "disk.raw");
                pools.deletePool("aim-actions");
                assertTrue(access.actions.stream().anyMatch(what -> what.contains("aim-actions")), access.actions
                        .toString());
                assertTrue(access.actions.stream().anyMatch(what -> what.startsWith("creating volume disk.raw")),
                        access.actions.toString());
                assertTrue(access.actions.stream().anyMatch(what -> what.startsWith("deleting volume disk.raw")),
                        access.actions.toString());
                assertTrue(access.actions.stream().anyMatch(what -> what.startsWith("deleting storage pool")),
                        access.actions.toString());
                assertTrue(access.reads.get() > 0, "listing the pools is a read");
            } finally {
                java.nio.file.Files.deleteIfExists(target);
            }
        } finally {
            connect.close();
        }
    }
}
