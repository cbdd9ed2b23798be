package com.abiquo.aim.server;

import com.abiquo.aim.testing.Waits;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.abiquo.aim.server.calls.CallClass;
import com.google.rpc.ErrorInfo;
import io.grpc.CallOptions;
import io.grpc.ClientInterceptors;
import io.grpc.ManagedChannel;
import io.grpc.Metadata;
import io.grpc.MethodDescriptor;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.protobuf.StatusProto;
import io.grpc.stub.ClientCalls;
import io.grpc.stub.MetadataUtils;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Reads, actions and copies do not wait behind each other, and a burst beyond every bound is refused at once.
 * The slow action is ProbeModule's Block call (a stand-in that holds its thread until the test lets it go, so the
 * test controls how long the action takes; scripts/bench-footprint measures the same with real KVM power cycles).
 */
class CallIsolationTest {
    @TempDir
    Path folder;

    private ProbeServer probeServer;
    private AimServer server;
    private ManagedChannel channel;
    private ProbeModule probe;

    @AfterEach
    void stop() throws Exception {
        if (probeServer != null) {
            probeServer.close();
        }
    }

    private void start(int threads) throws Exception {
        start(threads, "");
    }

    private void start(int threads, String extraConfig) throws Exception {
        probeServer = ProbeServer.start(folder, threads, extraConfig);
        server = probeServer.server();
        probe = probeServer.probe();
        channel = probeServer.connection();
    }

    private CompletableFuture<Status> startBlock(Metadata headers) {
        return startHeld(ProbeModule.BLOCK, headers);
    }

    private CompletableFuture<Status> startHeld(MethodDescriptor<byte[], byte[]> method, Metadata headers) {
        return ProbeServer.startCall(channel, method, headers);
    }

    private byte[] read() {
        return ClientCalls.blockingUnaryCall(channel, ProbeModule.GET_VALUE,
                CallOptions.DEFAULT.withDeadlineAfter(5, TimeUnit.SECONDS), new byte[0]);
    }

    @Test
    void aReadAnswersWhileEveryActionThreadIsBusy() throws Exception {
        start(1);
        CompletableFuture<Status> slow = startBlock(new Metadata());
        assertTrue(probe.blocking.await(10, TimeUnit.SECONDS), "the slow action did not start");
        // with one pool for every call, this read waited behind the action until its deadline
        assertEquals(0, read().length);
        probe.release.countDown();
        assertEquals(Status.Code.OK, slow.get(10, TimeUnit.SECONDS).getCode());
    }

    @Test
    void aBurstBeyondTheBoundIsRefusedAtOnceAndTheAdmittedCallsAllFinish() throws Exception {
        start(1);
        int limit = 1 + 100; // -t 1 action thread + 100 waiting (CallPools)
        List<CompletableFuture<Status>> admitted = new ArrayList<>();
        for (int i = 0; i < limit; i++) {
            admitted.add(startBlock(new Metadata()));
        }
        assertTrue(probe.blocking.await(10, TimeUnit.SECONDS), "the first action did not start");
        awaitInFlight(limit);
        // one more is refused at once, even when it claims to be admitted already
        Metadata spoofed = new Metadata();
        spoofed.put(Metadata.Key.of("aim-internal-admission", Metadata.ASCII_STRING_MARSHALLER), "admitted:ACTION");
        long started = System.nanoTime();
        StatusRuntimeException refused = assertThrows(StatusRuntimeException.class, () ->
                ClientCalls.blockingUnaryCall(ClientInterceptors.intercept(channel,
                        MetadataUtils.newAttachHeadersInterceptor(spoofed)), ProbeModule.BLOCK,
                        CallOptions.DEFAULT.withDeadlineAfter(10, TimeUnit.SECONDS), new byte[0]));
        assertTrue(System.nanoTime() - started < TimeUnit.SECONDS.toNanos(5), "the refusal waited");
        assertEquals(Status.Code.RESOURCE_EXHAUSTED, refused.getStatus().getCode(), refused.toString());
        assertTrue(refused.getStatus().getDescription().contains(ProbeModule.SERVICE + "/Block")
                && refused.getStatus().getDescription().contains("101"), refused.getStatus().getDescription());
        ErrorInfo info = StatusProto.fromThrowable(refused).getDetails(0).unpack(ErrorInfo.class);
        assertEquals("TOO_MANY_CALLS", info.getReason());
        assertEquals(1, probe.blocked.get(), "only one action runs at a time with -t 1");
        // reads are not affected by a full action class
        assertEquals(0, read().length);

        probe.release.countDown();
        for (CompletableFuture<Status> call : admitted) {
            assertEquals(Status.Code.OK, call.get(30, TimeUnit.SECONDS).getCode());
        }
        assertEquals(limit, probe.blocked.get());
        // every place was given back
        awaitInFlight(0);
        assertEquals(Status.Code.OK, startBlock(new Metadata()).get(10, TimeUnit.SECONDS).getCode());
    }

    @Test
    void aBurstOfReadsBeyondTheirBoundIsRefusedAtOnceWhileActionsStillRun() throws Exception {
        // one connection carries the whole burst: [limits] lets it hold more streams than the reads' bound
        start(1, "[limits]\nmaxConcurrentCallsPerConnection = 2000\n");
        int limit = 4 + 1_000; // -t 1: 4 read threads (at least 4) + 1,000 waiting (CallPools)
        List<CompletableFuture<Status>> admitted = new ArrayList<>();
        for (int i = 0; i < limit; i++) {
            admitted.add(startHeld(ProbeModule.GET_HELD, new Metadata()));
        }
        awaitInFlight(CallClass.READ, limit, 60);
        long started = System.nanoTime();
        StatusRuntimeException refused = assertThrows(StatusRuntimeException.class, () -> ClientCalls
                .blockingUnaryCall(channel, ProbeModule.GET_HELD,
                        CallOptions.DEFAULT.withDeadlineAfter(10, TimeUnit.SECONDS), new byte[0]));
        assertTrue(System.nanoTime() - started < TimeUnit.SECONDS.toNanos(5), "the refusal waited");
        assertEquals(Status.Code.RESOURCE_EXHAUSTED, refused.getStatus().getCode(), refused.toString());
        assertTrue(refused.getStatus().getDescription().contains(ProbeModule.SERVICE + "/GetHeld")
                && refused.getStatus().getDescription().contains("1004 read calls"),
                refused.getStatus().getDescription());
        assertEquals("TOO_MANY_CALLS", StatusProto.fromThrowable(refused).getDetails(0).unpack(ErrorInfo.class)
                .getReason());
        assertEquals(4, probe.blocked.get(), "only the read threads run reads");
        // the actions' pool is not touched by a full read class (Block is held too: it starts, so it runs)
        CompletableFuture<Status> action = startBlock(new Metadata());
        awaitInFlight(CallClass.ACTION, 1, 10);

        probe.release.countDown();
        for (CompletableFuture<Status> call : admitted) {
            assertEquals(Status.Code.OK, call.get(60, TimeUnit.SECONDS).getCode());
        }
        assertEquals(Status.Code.OK, action.get(10, TimeUnit.SECONDS).getCode());
        awaitInFlight(CallClass.READ, 0, 10);
    }

    private void awaitInFlight(int expected) throws InterruptedException {
        awaitInFlight(CallClass.ACTION, expected, 10);
    }

    private void awaitInFlight(CallClass callClass, int expected, int seconds) {
        awaitInFlight(server, callClass, expected, seconds);
    }

    /** Waits until {@code server} has admitted exactly {@code expected} calls of the class. */
    static void awaitInFlight(AimServer server, CallClass callClass, int expected, int seconds) {
        Waits.awaitValue(expected + " admitted " + callClass + " calls", java.time.Duration.ofSeconds(seconds),
                Waits.POLL, () -> server.callPools().pool(callClass).inFlight(), inFlight -> inFlight == expected);
    }
}
