package com.abiquo.aim.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.abiquo.aim.core.config.AimSettings;
import com.abiquo.aim.core.config.AimSettingsReader;
import com.abiquo.aim.server.calls.CallClass;
import com.abiquo.aim.v1.GetDatastoresRequest;
import com.abiquo.aim.v1.RimpServiceGrpc;
import com.abiquo.aim.v1.UploadRequest;
import com.abiquo.aim.v1.UploadResponse;
import com.google.rpc.ErrorInfo;
import io.grpc.Grpc;
import io.grpc.InsecureChannelCredentials;
import io.grpc.ManagedChannel;
import io.grpc.Status;
import io.grpc.protobuf.StatusProto;
import io.grpc.stub.StreamObserver;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 16's bound on queues for the copies' class, over the real server with every module: Rimp's Upload streams
 * opened and left waiting hold their places; one more copy call beyond -t + 20 is refused at once with
 * RESOURCE_EXHAUSTED, reads are still served, and the places come back when the streams end.
 */
class CopyCallsBoundTest {
    @TempDir
    Path folder;

    /** An Upload stream: the request side to end it, and the failure it ended with. */
    private record Upload(StreamObserver<UploadRequest> requests, CompletableFuture<Throwable> ended) {
        Status status() throws Exception {
            return Status.fromThrowable(ended.get(10, TimeUnit.SECONDS));
        }
    }

    private static Upload open(ManagedChannel channel) {
        CompletableFuture<Throwable> ended = new CompletableFuture<>();
        StreamObserver<UploadRequest> requests = RimpServiceGrpc.newStub(channel).upload(new StreamObserver<>() {
            @Override
            public void onNext(UploadResponse value) {
            }

            @Override
            public void onError(Throwable failure) {
                ended.complete(failure);
            }

            @Override
            public void onCompleted() {
                ended.completeExceptionally(new AssertionError("an upload without data succeeded"));
            }
        });
        return new Upload(requests, ended);
    }

    @Test
    void copyCallsBeyondTheirBoundAreRefusedAtOnceAndReadsGoOn() throws Exception {
        AimSettings settings = AimSettingsReader.read(SafeConfig.write(folder, ""));
        AimServer server = new AimServer(ServerSettings.from(settings, folder), settings, folder,
                ModuleLoader.load(), 1, BuildInfo.load());
        server.start();
        ManagedChannel channel = Grpc.newChannelBuilderForAddress("127.0.0.1", server.port(),
                InsecureChannelCredentials.create()).build();
        List<Upload> uploads = new ArrayList<>();
        try {
            int limit = 1 + 20; // -t 1 copy thread + 20 waiting (CallPools)
            for (int i = 0; i < limit; i++) {
                uploads.add(open(channel));
            }
            awaitInFlight(server, limit);
            long started = System.nanoTime();
            Upload refused = open(channel);
            Status status = refused.status();
            assertTrue(System.nanoTime() - started < TimeUnit.SECONDS.toNanos(5), "the refusal waited");
            assertEquals(Status.Code.RESOURCE_EXHAUSTED, status.getCode(), status.toString());
            assertTrue(status.getDescription().contains("abiquo.aim.v1.RimpService/Upload")
                    && status.getDescription().contains("21 copy calls"), status.getDescription());
            assertEquals("TOO_MANY_CALLS", StatusProto.fromThrowable(refused.ended.get()).getDetails(0)
                    .unpack(ErrorInfo.class).getReason());
            // reads are not affected by a full copy class
            RimpServiceGrpc.newBlockingStub(channel).withDeadlineAfter(10, TimeUnit.SECONDS)
                    .getDatastores(GetDatastoresRequest.getDefaultInstance());

            // the streams end: their places come back
            uploads.forEach(upload -> upload.requests.onError(Status.CANCELLED.asRuntimeException()));
            for (Upload upload : uploads) {
                assertEquals(Status.Code.CANCELLED, upload.status().getCode());
            }
            uploads.clear();
            awaitInFlight(server, 0);
            uploads.add(open(channel));
            awaitInFlight(server, 1);
        } finally {
            uploads.forEach(upload -> upload.requests.onError(Status.CANCELLED.asRuntimeException()));
            channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
            server.stop();
        }
    }

    private static void awaitInFlight(AimServer server, int expected) {
        CallIsolationTest.awaitInFlight(server, CallClass.COPY, expected, 10);
    }
}
