package com.abiquo.aim.libvirt.connection;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.abiquo.aim.testing.NegativeCheck;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.ServerSocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The reconnect timer with a real UNIX socket standing for the daemon's. */
class ReconnectTimerTest {
    private final ScheduledExecutorService connector = Executors.newSingleThreadScheduledExecutor();
    private final CountDownLatch attempted = new CountDownLatch(1);

    @TempDir
    Path folder;

    @AfterEach
    void stop() {
        connector.shutdownNow();
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
        // The scenario, not a wait: the socket stays missing for three of the timer's looks at it.
        Thread.sleep(ReconnectTimer.SOCKET_POLL.toMillis() * 3);
        long bound = System.nanoTime();
        try (ServerSocketChannel daemon = ServerSocketChannel.open(StandardProtocolFamily.UNIX)) {
            daemon.bind(UnixDomainSocketAddress.of(socket));
            assertTrue(attempted.await(5, TimeUnit.SECONDS), "no attempt after the socket came back");
            long millis = (System.nanoTime() - bound) / 1_000_000;
            assertTrue(millis < 1000, "attempt " + millis + " ms after the socket came back");
            assertEquals(0, connector.submit(timer::failedAttempts).get(), "the backoff starts over");
        }
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
        // The scenario, not waits: the frozen daemon's socket, then the killed one's file, each stay for three of the
        // timer's looks at them.
        Thread.sleep(ReconnectTimer.SOCKET_POLL.toMillis() * 3);
        frozen.close();   // killed: the file stays, nobody listens
        Thread.sleep(ReconnectTimer.SOCKET_POLL.toMillis() * 3);
        Files.delete(socket);   // as a starting daemon removes the stale socket before binding its own
        long bound = System.nanoTime();
        try (ServerSocketChannel restarted = ServerSocketChannel.open(StandardProtocolFamily.UNIX)) {
            restarted.bind(UnixDomainSocketAddress.of(socket));
            assertTrue(attempted.await(5, TimeUnit.SECONDS), "no attempt after the daemon came back");
            long millis = (System.nanoTime() - bound) / 1_000_000;
            assertTrue(millis < 1000, "attempt " + millis + " ms after the socket came back");
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
            assertTrue(attempted.await(5, TimeUnit.SECONDS), "the backoff's own attempt");
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
