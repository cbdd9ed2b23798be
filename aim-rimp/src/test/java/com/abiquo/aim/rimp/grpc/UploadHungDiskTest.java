package com.abiquo.aim.rimp.grpc;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.abiquo.aim.rimp.LoopMount;
import com.abiquo.aim.rimp.TestFiles;
import com.abiquo.aim.rimp.server.RimpServerHarness;
import com.abiquo.aim.testing.SystemTestRequirements;
import com.abiquo.aim.testing.Waits;
import com.abiquo.aim.v1.RimpServiceGrpc;
import com.abiquo.aim.v1.UploadHeader;
import com.abiquo.aim.v1.UploadRequest;
import com.abiquo.aim.v1.UploadResponse;
import com.google.protobuf.ByteString;
import io.grpc.ManagedChannel;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.stub.StreamObserver;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * An upload whose write hangs on the disk (a real XFS frozen with fsfreeze: writes block until it is thawed, as on
 * a dead SAN or NFS server) does not hold up the agent's shutdown: stop returns at once, the client gets
 * UNAVAILABLE, and the temporary goes once the write comes back.
 */
@Tag("system")
class UploadHungDiskTest {
    private static final Duration WAIT = Duration.ofSeconds(10);

    @TempDir
    Path folder;

    @Test
    void shutdownDoesNotWaitForAnUploadStuckInAWrite() throws Exception {
        SystemTestRequirements.requireRoot("a loop mount and fsfreeze");
        Path repository = Files.createDirectories(folder.resolve("repository"));
        Files.createFile(repository.resolve(".abiquo_repository"));
        try (LoopMount xfs = LoopMount.xfs(folder, 300L << 20)) {
            Path datastore = xfs.mountPoint;
            RimpServerHarness harness = RimpServerHarness.inProcess("[rimp]\nrepository = " + repository
                    + "\ndatastores = " + datastore + "\n", folder);
            ManagedChannel channel = harness.channel();
            boolean frozen = false;
            try {
                CompletableFuture<UploadResponse> result = new CompletableFuture<>();
                StreamObserver<UploadRequest> upload = RimpServiceGrpc.newStub(channel).upload(UploadResults.into(result));
                upload.onNext(UploadRequest.newBuilder().setHeader(UploadHeader.newBuilder()
                        .setPath(datastore.resolve("stuck.raw").toString()).setSizeBytes(4 << 20)).build());
                Waits.await("the upload's temporary", WAIT, () -> temporaries(datastore).size() == 1);

                TestFiles.run("fsfreeze", "--freeze", datastore.toString());
                frozen = true;
                byte[] chunk = new byte[1 << 20];
                Arrays.fill(chunk, (byte) 7);
                upload.onNext(UploadRequest.newBuilder().setChunk(ByteString.copyFrom(chunk)).build());
                Waits.await("the upload's write blocked by the freeze", WAIT, UploadHungDiskTest::aimIsBlockedInAWrite);

                CompletableFuture<Void> stopped = CompletableFuture.runAsync(harness.module::stop);
                stopped.get(10, TimeUnit.SECONDS); // before the fix: blocked until the thaw
                ExecutionException failed = org.junit.jupiter.api.Assertions.assertThrows(ExecutionException.class,
                        () -> result.get(10, TimeUnit.SECONDS));
                StatusRuntimeException status = assertInstanceOf(StatusRuntimeException.class, failed.getCause());
                assertEquals(Status.Code.UNAVAILABLE, status.getStatus().getCode());

                TestFiles.run("fsfreeze", "--unfreeze", datastore.toString());
                frozen = false;
                Waits.await("the temporary removed once the write returned", WAIT, () -> temporaries(datastore).isEmpty());
                assertTrue(Files.notExists(datastore.resolve("stuck.raw")));
            } finally {
                if (frozen) {
                    TestFiles.run("fsfreeze", "--unfreeze", datastore.toString());
                }
                channel.shutdownNow();
                harness.close();
            }
        }
    }

    private static List<String> temporaries(Path folder) throws Exception {
        return TestFiles.names(folder).stream().filter(name -> name.contains(".aim-tmp-")).toList();
    }

    /** A thread of the agent's Rimp code is inside a native file write (blocked there while the disk is frozen). */
    private static boolean aimIsBlockedInAWrite() {
        return Thread.getAllStackTraces().values().stream().anyMatch(stack -> stack.length > 0
                && Arrays.stream(stack).limit(3).anyMatch(frame -> frame.getMethodName().matches("p?write0|writeBytes"))
                && Arrays.stream(stack).anyMatch(frame -> frame.getClassName().startsWith("com.abiquo.aim.rimp.")));
    }
}
