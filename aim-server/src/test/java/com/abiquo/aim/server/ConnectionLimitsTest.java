package com.abiquo.aim.server;

import com.abiquo.aim.testing.Waits;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.abiquo.aim.core.config.AimSettings;
import com.abiquo.aim.server.security.ServerLimits;
import io.grpc.CallOptions;
import io.grpc.ClientCall;
import io.grpc.ConnectivityState;
import io.grpc.ManagedChannel;
import io.grpc.Metadata;
import io.grpc.Status;
import io.grpc.netty.shaded.io.netty.handler.codec.http2.Http2Error;
import io.grpc.stub.ClientCalls;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * [limits] on connections, over the real Netty server with small values so that each shows within seconds:
 * calls at once per connection, the keepalive policy, the idle timeout, and bad values refused by the
 * configuration check naming the key. The open calls are ProbeModule's: Block (held until the test releases it)
 * and Watch (a stream that answers one message at once and stays open).
 */
class ConnectionLimitsTest {
    @TempDir
    Path folder;

    private ProbeServer probeServer;
    private AimServer server;
    private ProbeModule probe;
    private final List<Watch> watches = new ArrayList<>();

    @AfterEach
    void stop() throws Exception {
        watches.forEach(watch -> watch.call.cancel("the test ends", null));
        if (probeServer != null) {
            probeServer.close();
        }
    }

    private void start(String limits) throws Exception {
        start(limits, 2);
    }

    private void start(String limits, int threads) throws Exception {
        probeServer = ProbeServer.start(folder, threads, "[limits]\n" + limits);
        server = probeServer.server();
        probe = probeServer.probe();
    }

    /** A new channel: its own TCP connection. */
    private ManagedChannel connection() {
        return probeServer.connection();
    }

    /** An open Watch stream: started once the server's first message arrives, closed with its status. */
    private record Watch(ClientCall<byte[], byte[]> call, CompletableFuture<Void> started,
            CompletableFuture<Status> closed) {
    }

    private Watch watch(ManagedChannel channel) {
        CompletableFuture<Void> started = new CompletableFuture<>();
        CompletableFuture<Status> closed = new CompletableFuture<>();
        ClientCall<byte[], byte[]> call = channel.newCall(ProbeModule.WATCH, CallOptions.DEFAULT);
        call.start(new ClientCall.Listener<>() {
            @Override
            public void onMessage(byte[] message) {
                started.complete(null);
            }

            @Override
            public void onClose(Status status, Metadata trailers) {
                closed.complete(status);
            }
        }, new Metadata());
        call.request(1);
        call.sendMessage(new byte[0]);
        call.halfClose();
        Watch watch = new Watch(call, started, closed);
        watches.add(watch);
        return watch;
    }

    @Test
    void theCallBeyondMaxConcurrentCallsPerConnectionWaitsForOneToEndWhileAnotherConnectionIsServed()
            throws Exception {
        start("maxConcurrentCallsPerConnection = 2\n", 4);
        // what the server announces: HTTP/2's MAX_CONCURRENT_STREAMS
        try (RawHttp2Client raw = new RawHttp2Client(server.port())) {
            assertEquals(2L, raw.settings().settings().maxConcurrentStreams());
        }
        // two slow calls (ProbeModule's Block, held until the test releases them) fill the first connection
        ManagedChannel first = connection();
        List<CompletableFuture<Status>> held = List.of(block(first), block(first));
        awaitRunning(2);
        CompletableFuture<Status> third = block(first);
        // another connection has slots of its own
        CompletableFuture<Status> other = block(connection());
        awaitRunning(3);
        // bounded negative check: the third call of the first connection waits in its client (gRPC queues streams
        // beyond MAX_CONCURRENT_STREAMS) instead of being served or refused
        assertThrows(TimeoutException.class, () -> third.get(1, TimeUnit.SECONDS));
        assertEquals(3, probe.blocked.get(), "the third call of a full connection started");

        probe.release.countDown();
        for (CompletableFuture<Status> call : held) {
            assertEquals(Status.Code.OK, call.get(10, TimeUnit.SECONDS).getCode());
        }
        assertEquals(Status.Code.OK, other.get(10, TimeUnit.SECONDS).getCode());
        // once the held calls ended, the waiting one ran
        assertEquals(Status.Code.OK, third.get(10, TimeUnit.SECONDS).getCode());
        assertEquals(4, probe.blocked.get());
    }

    private CompletableFuture<Status> block(ManagedChannel channel) {
        return ProbeServer.startCall(channel, ProbeModule.BLOCK, new Metadata());
    }

    private void awaitRunning(int calls) {
        Waits.awaitValue(calls + " Block calls running", java.time.Duration.ofSeconds(10), Waits.POLL,
                probe.blocked::get, running -> running >= calls);
    }

    @Test
    void pingsAtPermitKeepAliveSecondsAreAnsweredAndFasterOnesEndTheConnection() throws Exception {
        start("permitKeepAliveSeconds = 1\n");
        try (RawHttp2Client raw = new RawHttp2Client(server.port())) {
            raw.settings();
            // three pings 1.5 s apart, without any call: within the policy (gRPC's own default, 5 minutes, would
            // cut this client off at the third), so each is answered
            for (long ping = 1; ping <= 3; ping++) {
                Thread.sleep(1500); // the client's pace, not a wait for the server
                raw.pingAndAwaitAck(ping);
            }
            assertFalse(raw.wentAway(), "a client within the keepalive policy was sent away");

            // pings as fast as they are answered: the server tolerates two, then says ENHANCE_YOUR_CALM and closes
            // (with the third's acknowledgement; later only if this client stalled past permitKeepAliveSeconds
            // between two pings, which makes that one valid without forgiving the others)
            int acknowledged = raw.pingUntilGoAway(10, 8);
            assertTrue(raw.wentAway(), "no GOAWAY after " + acknowledged + " pings in quick succession");
            assertTrue(acknowledged >= 3, "the GOAWAY came after " + acknowledged + " pings: fewer than two were "
                    + "tolerated");
            RawHttp2Client.GoAway away = raw.awaitGoAway(10);
            assertEquals(Http2Error.ENHANCE_YOUR_CALM.code(), away.errorCode(), away.toString());
            assertEquals("too_many_pings", away.debugData());
            assertTrue(raw.awaitClosed(10), "the connection stayed open after the GOAWAY");
        }
        // the server goes on serving other connections
        assertEquals(0, ClientCalls.blockingUnaryCall(connection(), ProbeModule.GET_VALUE,
                CallOptions.DEFAULT.withDeadlineAfter(10, TimeUnit.SECONDS), new byte[0]).length);
    }

    @Test
    void aConnectionWithoutCallsForMaxConnectionIdleSecondsIsClosedAndOneWithAnOpenCallIsNot() throws Exception {
        start("maxConnectionIdleSeconds = 1\n");
        Watch open = watch(connection());
        open.started.get(10, TimeUnit.SECONDS);
        ManagedChannel idle = connection();
        long called = System.nanoTime();
        assertEquals(0, ClientCalls.blockingUnaryCall(idle, ProbeModule.GET_VALUE,
                CallOptions.DEFAULT.withDeadlineAfter(10, TimeUnit.SECONDS), new byte[0]).length);
        // the server's GOAWAY puts the client's channel back to IDLE (its own idle timeout is 30 minutes)
        awaitState(idle, ConnectivityState.IDLE, 10);
        assertTrue(System.nanoTime() - called >= TimeUnit.SECONDS.toNanos(1), "closed before maxConnectionIdle");
        // a bare connection hears why: GOAWAY without error
        try (RawHttp2Client raw = new RawHttp2Client(server.port())) {
            assertEquals(Http2Error.NO_ERROR.code(), raw.awaitGoAway(10).errorCode());
            assertTrue(raw.awaitClosed(10), "the idle connection stayed open");
        }
        // the stream opened first has outlived several idle timeouts: a connection with a call is not idle
        assertFalse(open.closed.isDone(), "the open stream was ended: " + open.closed.getNow(null));
        // and the idle channel reconnects on its next call
        assertEquals(0, ClientCalls.blockingUnaryCall(idle, ProbeModule.GET_VALUE,
                CallOptions.DEFAULT.withDeadlineAfter(10, TimeUnit.SECONDS), new byte[0]).length);
    }

    private static void awaitState(ManagedChannel channel, ConnectivityState wanted, long seconds)
            throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
        ConnectivityState state = channel.getState(false);
        while (state != wanted) {
            CountDownLatch changed = new CountDownLatch(1);
            channel.notifyWhenStateChanged(state, changed::countDown);
            long left = deadline - System.nanoTime();
            assertTrue(left > 0 && changed.await(left, TimeUnit.NANOSECONDS),
                    "the channel stayed " + channel.getState(false) + ", wanted " + wanted);
            state = channel.getState(false);
        }
    }

    @Test
    void theDefaultsAreTheDocumentedOnesAndTheShippedAimIniListsThem() throws Exception {
        ServerLimits defaults = ServerLimits.from(AimSettings.empty());
        assertEquals(new ServerLimits(1 << 20, 16 << 20, 128, 10, 3600), defaults);
        String shipped = Files.readString(Tools.projectRoot().resolve("dist/src/conf/aim.ini"));
        for (String line : List.of(";maxMessageBytes = 1048576", ";maxLargeMessageBytes = 16777216",
                ";maxConcurrentCallsPerConnection = 128", ";permitKeepAliveSeconds = 10",
                ";maxConnectionIdleSeconds = 3600")) {
            assertTrue(shipped.contains("\n" + line + "\n"), line + " is not in the shipped aim.ini's [limits]");
        }
    }

    @Test
    void badLimitsAreRefusedByTheConfigurationCheckNamingEachKey() throws Exception {
        Path file = SafeConfig.write(folder, "");
        Files.writeString(file, Files.readString(file) + "\n[limits]\nmaxMessageBytes = 12\n"
                + "maxLargeMessageBytes = lots\nmaxConcurrentCallsPerConnection = 0\npermitKeepAliveSeconds = 0\n"
                + "maxConnectionIdleSeconds = -1\n");
        OriginalAimConfigTest.Outcome outcome = OriginalAimConfigTest.run("-c", file.toString(), "--check-config");
        assertEquals(1, outcome.status(), outcome.log());
        for (String problem : List.of(
                "[limits] maxMessageBytes = \"12\" is invalid: accepted values: a whole number from 1024 to "
                        + (1 << 30),
                "[limits] maxLargeMessageBytes = \"lots\" is invalid: accepted values: a whole number from 1024 to "
                        + (1 << 30),
                "[limits] maxConcurrentCallsPerConnection = \"0\" is invalid: accepted values: a whole number from 1 "
                        + "to 100000",
                "[limits] permitKeepAliveSeconds = \"0\" is invalid: accepted values: a whole number from 1 to 86400",
                "[limits] maxConnectionIdleSeconds = \"-1\" is invalid: accepted values: a whole number from 0 to "
                        + 30 * 86_400)) {
            assertTrue(outcome.log().contains(file + ": " + problem), "missing: " + problem + "\n" + outcome.log());
        }
        assertTrue(outcome.log().contains("5 problems"), outcome.log());

        Files.writeString(file, Files.readString(file).replaceAll("(?s)\\[limits\\].*", "[limits]\n"
                + "maxMessageBytes = 65536\nmaxLargeMessageBytes = 4096\n"));
        OriginalAimConfigTest.Outcome inverted = OriginalAimConfigTest.run("-c", file.toString(), "--check-config");
        assertEquals(1, inverted.status(), inverted.log());
        assertTrue(inverted.log().contains(file + ": [limits] maxLargeMessageBytes (4096) cannot be below "
                + "maxMessageBytes (65536)"), inverted.log());
    }
}
