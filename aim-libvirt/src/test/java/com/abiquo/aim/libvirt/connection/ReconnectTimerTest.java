package com.abiquo.aim.libvirt.connection;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.abiquo.aim.testing.NegativeCheck;
import com.abiquo.aim.testing.Waits;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.ServerSocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The reconnect timer with a real UNIX socket standing for the daemon's. */
class ReconnectTimerTest {
    private final LookCountingConnector connector = new LookCountingConnector();
    private final CountDownLatch attempted = new CountDownLatch(1);

    @TempDir
    Path folder;

    @AfterEach
    void stop() {
        connector.shutdownNow();
    }

    /**
     * The connector thread, counting the timer's looks at its socket files: the timer's one fixed-delay task is
     * that look, every {@link ReconnectTimer#SOCKET_POLL}.
     */
    private static final class LookCountingConnector extends ScheduledThreadPoolExecutor {
        private final AtomicInteger looks = new AtomicInteger();

        LookCountingConnector() {
            super(1);
        }

        @Override
        public ScheduledFuture<?> scheduleWithFixedDelay(Runnable look, long initialDelay, long delay, TimeUnit unit) {
            return super.scheduleWithFixedDelay(() -> {
                look.run();
                looks.incrementAndGet();
            }, initialDelay, delay, unit);
        }

        /** Waits until the timer has looked at the socket files three more times (the scenario's pace). */
        void awaitThreeMoreLooks(String what) {
            int before = looks.get();
            Waits.await("three looks at " + what, Duration.ofSeconds(10), () -> looks.get() >= before + 3);
        }
    }

    @Test
    void aSocketThatStartsAcceptingCutsALongBackoffShort() throws Exception {
        Path socket = folder.resolve("libvirt-sock");
        ReconnectTimer timer = new ReconnectTimer(connector, Duration.ofSeconds(30), List.of(socket),
                attempted::countDown);
        for (int i = 0; i < 8; i++) {   // the backoff has reached 30 s
            connector.submit(timer::scheduleNext).get();
        }
        assertEquals(Duration.ofSeconds(30), connector.submit(timer::scheduleNext).get());
        // The socket stays missing for three of the timer's looks at it.
        connector.awaitThreeMoreLooks("the missing socket");
        assertEquals(1, attempted.getCount(), "an attempt while the socket was missing");
        bindAndAwaitAttempt(socket, timer).close();
    }

    @Test
    void aFrozenDaemonKilledAndStartedAgainIsNoticedThroughItsNewSocketFile() throws Exception {
        Path socket = folder.resolve("libvirt-sock");
        ServerSocketChannel frozen = ServerSocketChannel.open(StandardProtocolFamily.UNIX);
        frozen.bind(UnixDomainSocketAddress.of(socket));
        ReconnectTimer timer = new ReconnectTimer(connector, Duration.ofSeconds(30), List.of(socket),
                attempted::countDown);
        for (int i = 0; i < 9; i++) {
            connector.submit(timer::scheduleNext).get();
        }
        // The frozen daemon's socket, then the killed one's file, each stay for three of the timer's looks at them.
        connector.awaitThreeMoreLooks("the frozen daemon's socket");
        assertEquals(1, attempted.getCount(), "an attempt while the daemon was frozen");
        frozen.close();   // killed: the file stays, nobody listens
        connector.awaitThreeMoreLooks("the killed daemon's socket file");
        assertEquals(1, attempted.getCount(), "an attempt while the daemon was killed");
        Files.delete(socket);   // as a starting daemon removes the stale socket before binding its own
        bindAndAwaitAttempt(socket, timer).close();
    }

    /**
     * Binds the daemon's socket as a (re)started daemon does; the pending attempt runs within a few of the timer's
     * looks at it, made by the look and not by the 30 s backoff.
     */
    private ServerSocketChannel bindAndAwaitAttempt(Path socket, ReconnectTimer timer) throws Exception {
        long bound = System.nanoTime();
        ServerSocketChannel daemon = ServerSocketChannel.open(StandardProtocolFamily.UNIX);
        try {
            daemon.bind(UnixDomainSocketAddress.of(socket));
            assertTrue(attempted.await(20, TimeUnit.SECONDS), "no attempt after the socket came back");
            long millis = (System.nanoTime() - bound) / 1_000_000;
            // The look at the socket made the attempt, not the backoff: only the look starts the backoff over.
            assertEquals(0, connector.submit(timer::failedAttempts).get(), "the backoff starts over");
            // Within a few 100 ms looks; 5 s leaves a loaded machine room and is still far from the 30 s backoff.
            assertTrue(millis < 5000, "attempt " + millis + " ms after the socket came back");
            return daemon;
        } catch (Exception | AssertionError failure) {
            daemon.close();
            throw failure;
        }
    }

    @Test
    void aSocketThatAcceptsAllAlongLeavesTheBackoffAlone() throws Exception {
        Path socket = folder.resolve("virtqemud-sock");
        try (ServerSocketChannel frozen = ServerSocketChannel.open(StandardProtocolFamily.UNIX)) {
            frozen.bind(UnixDomainSocketAddress.of(socket));   // accepts into its backlog, as a frozen daemon does
            ReconnectTimer timer = new ReconnectTimer(connector, Duration.ofSeconds(30), List.of(socket),
                    attempted::countDown);
            assertEquals(Duration.ofMillis(250), connector.submit(timer::scheduleNext).get());
            assertTrue(attempted.await(30, TimeUnit.SECONDS), "the backoff's own attempt");   // due after 250 ms
            CountDownLatch second = new CountDownLatch(1);
            ReconnectTimer later = new ReconnectTimer(connector, Duration.ofSeconds(30), List.of(socket),
                    second::countDown);
            for (int i = 0; i < 5; i++) {
                connector.submit(later::scheduleNext).get();
            }
            // Bounded negative check: the next attempt is 4 s away, and the timer looks at the socket every
            // SOCKET_POLL (100 ms); an attempt wrongly triggered by the accepting socket would come within a few of
            // those, well inside 1.5 s.
            NegativeCheck.during(Duration.ofMillis(1500), "an accepting socket triggers an attempt",
                    () -> second.getCount() == 0);
        }
        assertTrue(Files.exists(socket));
    }
}
