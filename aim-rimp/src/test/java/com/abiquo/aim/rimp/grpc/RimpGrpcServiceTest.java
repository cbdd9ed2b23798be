package com.abiquo.aim.rimp.grpc;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.abiquo.aim.rimp.TestFiles;
import com.abiquo.aim.rimp.server.RimpServerHarness;
import com.abiquo.aim.testing.Waits;
import com.abiquo.aim.v1.CheckRimpConfigurationRequest;
import com.abiquo.aim.v1.CheckRimpConfigurationResponse;
import com.abiquo.aim.v1.CopyFromRepositoryToDatastoreRequest;
import com.abiquo.aim.v1.CopyFromRepositoryToDatastoreResponse;
import com.abiquo.aim.v1.DeleteVirtualImageFromDatastoreRequest;
import com.abiquo.aim.v1.GetDatastoresRequest;
import com.abiquo.aim.v1.GetDatastoresResponse;
import com.abiquo.aim.v1.GetDiskFileSizeRequest;
import com.abiquo.aim.v1.GetNetInterfacesRequest;
import com.abiquo.aim.v1.RimpCopyMethod;
import com.abiquo.aim.v1.RimpCopyOptions;
import com.abiquo.aim.v1.RimpServiceGrpc;
import com.abiquo.aim.v1.UploadHeader;
import com.abiquo.aim.v1.UploadRequest;
import com.abiquo.aim.v1.UploadResponse;
import com.google.protobuf.ByteString;
import com.google.protobuf.Duration;
import com.google.rpc.ErrorInfo;
import io.grpc.ManagedChannel;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.protobuf.StatusProto;
import io.grpc.stub.StreamObserver;
import java.io.RandomAccessFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** RimpService through a real stub on an in-process channel, with the module started as the server starts it. */
class RimpGrpcServiceTest {
    private static final java.time.Duration WAIT = java.time.Duration.ofSeconds(10);
    @TempDir
    Path folder;
    private Path repository;
    private Path datastore;
    private RimpServerHarness harness;
    private ManagedChannel channel;
    private RimpServiceGrpc.RimpServiceBlockingStub blocking;
    private RimpServiceGrpc.RimpServiceStub async;

    @BeforeEach
    void setUp() throws Exception {
        repository = Files.createDirectories(folder.resolve("run/repository"));
        datastore = Files.createDirectories(folder.resolve("run/datastore"));
        Files.createDirectories(folder.resolve("conf"));
        start(true);
    }

    private void start(boolean mark) throws Exception {
        if (mark && Files.notExists(repository.resolve(".abiquo_repository"))) {
            Files.createFile(repository.resolve(".abiquo_repository"));
        }
        harness = RimpServerHarness.inProcess("[rimp]\nrepository = ../run/repository\n"
                + "datastores = ../run/datastore\nautoBackup = FALSE\nuploadMaxBytes = 67108864\n",
                folder.resolve("conf"));
        channel = harness.channel();
        blocking = RimpServiceGrpc.newBlockingStub(channel);
        async = RimpServiceGrpc.newStub(channel);
    }

    @AfterEach
    void tearDown() throws Exception {
        channel.shutdownNow();
        harness.close();
    }

    private static ErrorInfo errorInfo(StatusRuntimeException failure) throws Exception {
        return StatusProto.fromThrowable(failure).getDetails(0).unpack(ErrorInfo.class);
    }

    @Test
    void aMissingRepositoryIsReportedNotFatal() throws Exception {
        tearDown();
        Files.delete(repository.resolve(".abiquo_repository"));
        Files.delete(repository);
        start(false);

        CheckRimpConfigurationResponse check = blocking.checkRimpConfiguration(
                CheckRimpConfigurationRequest.getDefaultInstance());
        assertFalse(check.getValid());
        assertEquals(repository.toString(), check.getRepository());
        assertTrue(check.getProblems(0).contains("does not exist"), check.getProblems(0));
        assertTrue(harness.health.status("abiquo.aim.v1.RimpService").startsWith("NOT_SERVING"));

        StatusRuntimeException deploy = org.junit.jupiter.api.Assertions.assertThrows(StatusRuntimeException.class,
                () -> blocking.copyFromRepositoryToDatastore(CopyFromRepositoryToDatastoreRequest.newBuilder()
                        .setRepositoryPath("a.raw").setDatastorePath(datastore.toString()).setVmUuid("vm").build())
                        .next());
        assertEquals(Status.Code.FAILED_PRECONDITION, deploy.getStatus().getCode());
        assertEquals("REPOSITORY_UNUSABLE", errorInfo(deploy).getReason());

        Files.createDirectories(repository);
        Files.createFile(repository.resolve(".abiquo_repository"));
        assertTrue(blocking.checkRimpConfiguration(CheckRimpConfigurationRequest.getDefaultInstance()).getValid());
        assertEquals("SERVING", harness.health.status("abiquo.aim.v1.RimpService"));
    }

    @Test
    void listsTheConfiguredDatastoreAndTheNodesInterfaces() {
        GetDatastoresResponse datastores = blocking.getDatastores(GetDatastoresRequest.getDefaultInstance());
        assertEquals(1, datastores.getDatastoresCount());
        assertEquals(datastore.toString(), datastores.getDatastores(0).getPath());
        assertTrue(Files.isDirectory(datastore.resolve("datastoreuuid." + datastores.getDatastores(0).getUuid())));
        assertTrue(datastores.getDatastores(0).getTotalBytes() > 0);

        blocking.getNetInterfaces(GetNetInterfacesRequest.getDefaultInstance()).getInterfacesList()
                .forEach(face -> assertFalse(face.getName().equals("lo")));
    }

    @Test
    void deployStreamsProgressAndEndsWithTheResult() throws Exception {
        TestFiles.dense(repository.resolve("img/disk.raw"), 3 << 20, 1);
        Iterator<CopyFromRepositoryToDatastoreResponse> stream = blocking.copyFromRepositoryToDatastore(
                CopyFromRepositoryToDatastoreRequest.newBuilder().setRepositoryPath("img/disk.raw")
                        .setDatastorePath(datastore.toString()).setVmUuid("ABQ_42")
                        .setOptions(RimpCopyOptions.newBuilder().setReportProgress(true).setVerifySha256(true)
                                .setProgressInterval(Duration.newBuilder().setNanos(1)))
                        .build());
        List<CopyFromRepositoryToDatastoreResponse> messages = new ArrayList<>();
        stream.forEachRemaining(messages::add);

        CopyFromRepositoryToDatastoreResponse last = messages.get(messages.size() - 1);
        assertTrue(last.hasResult());
        assertTrue(messages.size() >= 2 && messages.get(0).hasProgress(), "progress came first: " + messages);
        assertEquals(3 << 20, messages.get(messages.size() - 2).getProgress().getBytesDone());
        assertEquals(datastore.resolve("ABQ_42").toString(), last.getResult().getPath());
        assertEquals(RimpCopyMethod.RIMP_COPY_METHOD_SPARSE_COPY, last.getResult().getMethod());
        assertEquals(TestFiles.sha256sum(repository.resolve("img/disk.raw")), last.getResult().getSha256());
        assertEquals(3 << 20, blocking.getDiskFileSize(GetDiskFileSizeRequest.newBuilder()
                .setPath(datastore.resolve("ABQ_42").toString()).build()).getSizeBytes());

        assertTrue(blocking.deleteVirtualImageFromDatastore(DeleteVirtualImageFromDatastoreRequest.newBuilder()
                .setDatastorePath(datastore.toString()).setVmUuid("ABQ_42").build()).getInstanceFound());
        assertFalse(Files.exists(datastore.resolve("ABQ_42")));
    }

    @Test
    void errorsCarryAPreciseCodeAndReason() throws Exception {
        StatusRuntimeException escape = org.junit.jupiter.api.Assertions.assertThrows(StatusRuntimeException.class,
                () -> blocking.getDiskFileSize(GetDiskFileSizeRequest.newBuilder().setPath("/etc/passwd").build()));
        assertEquals(Status.Code.PERMISSION_DENIED, escape.getStatus().getCode());
        assertEquals("PATH_OUTSIDE_ROOT", errorInfo(escape).getReason());

        StatusRuntimeException missing = org.junit.jupiter.api.Assertions.assertThrows(StatusRuntimeException.class,
                () -> blocking.copyFromRepositoryToDatastore(CopyFromRepositoryToDatastoreRequest.newBuilder()
                        .setRepositoryPath("none.raw").setDatastorePath(datastore.toString()).setVmUuid("vm")
                        .build()).next());
        assertEquals(Status.Code.NOT_FOUND, missing.getStatus().getCode());
        assertTrue(missing.getStatus().getDescription().contains("none.raw"));
    }

    /** 16384 separate 4 KiB data extents: a copy long enough (one system call per extent) to stop midway. */
    private void fragmentedImage() throws Exception {
        Path image = repository.resolve("fragmented.raw");
        try (RandomAccessFile file = new RandomAccessFile(image.toFile(), "rw")) {
            byte[] block = new byte[4096];
            java.util.Arrays.fill(block, (byte) 7);
            for (int i = 0; i < 16384; i++) {
                file.seek(i * 8192L);
                file.write(block);
            }
        }
    }

    @Test
    void stoppingTheModuleEndsACopyWithUnavailableAndLeavesNothing() throws Exception {
        fragmentedImage();
        Iterator<CopyFromRepositoryToDatastoreResponse> stream = blocking.copyFromRepositoryToDatastore(
                CopyFromRepositoryToDatastoreRequest.newBuilder().setRepositoryPath("fragmented.raw")
                        .setDatastorePath(datastore.toString()).setVmUuid("vm")
                        .setOptions(RimpCopyOptions.newBuilder().setReportProgress(true)
                                .setProgressInterval(Duration.newBuilder().setNanos(1))).build());
        assertTrue(stream.next().hasProgress());

        harness.module.stop();

        StatusRuntimeException stopped = org.junit.jupiter.api.Assertions.assertThrows(StatusRuntimeException.class,
                () -> stream.forEachRemaining(message -> { }));
        assertEquals(Status.Code.UNAVAILABLE, stopped.getStatus().getCode());
        assertEquals("AGENT_STOPPING", errorInfo(stopped).getReason());
        waitForNames(datastore, List.of(""));
    }

    @Test
    void aClientThatCancelsADeployLeavesNothingBehind() throws Exception {
        fragmentedImage();
        io.grpc.Context.CancellableContext context = io.grpc.Context.current().withCancellation();
        List<CopyFromRepositoryToDatastoreResponse> seen = new ArrayList<>();
        context.run(() -> {
            Iterator<CopyFromRepositoryToDatastoreResponse> stream = blocking.copyFromRepositoryToDatastore(
                    CopyFromRepositoryToDatastoreRequest.newBuilder().setRepositoryPath("fragmented.raw")
                            .setDatastorePath(datastore.toString()).setVmUuid("vm")
                            .setOptions(RimpCopyOptions.newBuilder().setReportProgress(true)
                                    .setProgressInterval(Duration.newBuilder().setNanos(1))).build());
            seen.add(stream.next());
            context.cancel(null);
        });

        assertTrue(seen.get(0).hasProgress());
        assertTrue(seen.get(0).getProgress().getBytesDone() < seen.get(0).getProgress().getBytesTotal(),
                "cancelled midway");
        waitForNames(datastore, List.of("")); // neither the instance nor a temporary
    }

    @Test
    void uploadWritesTheFileAndACancelledUploadLeavesNothing() throws Exception {
        byte[] content = new byte[(3 << 20) + 5];
        new java.util.Random(3).nextBytes(content);
        CompletableFuture<UploadResponse> done = new CompletableFuture<>();
        StreamObserver<UploadRequest> upload = async.upload(UploadResults.into(done));
        upload.onNext(UploadRequest.newBuilder().setHeader(UploadHeader.newBuilder()
                .setPath(datastore.resolve("up/file.raw").toString()).setSizeBytes(content.length)).build());
        for (int offset = 0; offset < content.length; offset += 1 << 20) {
            upload.onNext(UploadRequest.newBuilder().setChunk(ByteString.copyFrom(content, offset,
                    Math.min(1 << 20, content.length - offset))).build());
        }
        upload.onCompleted();
        UploadResponse response = done.get(10, TimeUnit.SECONDS);
        assertEquals(content.length, response.getSizeBytes());
        assertEquals(TestFiles.sha256sum(datastore.resolve("up/file.raw")), response.getSha256());

        CompletableFuture<UploadResponse> cancelled = new CompletableFuture<>();
        StreamObserver<UploadRequest> second = async.upload(UploadResults.into(cancelled));
        second.onNext(UploadRequest.newBuilder().setHeader(UploadHeader.newBuilder()
                .setPath(datastore.resolve("up/second.raw").toString()).setSizeBytes(10)).build());
        second.onNext(UploadRequest.newBuilder().setChunk(ByteString.copyFromUtf8("abc")).build());
        second.onError(Status.CANCELLED.asException());
        waitForNames(datastore.resolve("up"), List.of("", "file.raw"));

        CompletableFuture<UploadResponse> tooBig = new CompletableFuture<>();
        async.upload(UploadResults.into(tooBig)).onNext(UploadRequest.newBuilder().setHeader(UploadHeader.newBuilder()
                .setPath(datastore.resolve("big").toString()).setSizeBytes(1L << 40)).build());
        StatusRuntimeException refused = (StatusRuntimeException) org.junit.jupiter.api.Assertions.assertThrows(
                java.util.concurrent.ExecutionException.class, () -> tooBig.get(10, TimeUnit.SECONDS)).getCause();
        assertEquals(Status.Code.RESOURCE_EXHAUSTED, refused.getStatus().getCode());
    }

    @Test
    void stoppingTheModuleEndsAnUploadWithUnavailableAndLeavesNothing() throws Exception {
        CompletableFuture<UploadResponse> result = new CompletableFuture<>();
        StreamObserver<UploadRequest> upload = async.upload(UploadResults.into(result));
        upload.onNext(UploadRequest.newBuilder().setHeader(UploadHeader.newBuilder()
                .setPath(datastore.resolve("half.raw").toString()).setSizeBytes(10)).build());
        upload.onNext(UploadRequest.newBuilder().setChunk(ByteString.copyFromUtf8("abcde")).build());
        Waits.await("the upload's temporary file (it exists once the header was handled)", WAIT,
                () -> TestFiles.names(datastore).size() >= 2);

        harness.module.stop();

        StatusRuntimeException stopped = (StatusRuntimeException) org.junit.jupiter.api.Assertions.assertThrows(
                java.util.concurrent.ExecutionException.class, () -> result.get(10, TimeUnit.SECONDS)).getCause();
        assertEquals(Status.Code.UNAVAILABLE, stopped.getStatus().getCode());
        waitForNames(datastore, List.of(""));
    }

    /** Waits until the names in the folder, with datastoreuuid.* marks shown as "datastoreuuid", are expected. */
    private static void waitForNames(Path folder, List<String> expected) {
        Waits.awaitValue("the names in " + folder + " to be " + expected, WAIT, Waits.POLL,
                () -> TestFiles.names(folder).stream().map(n -> n.startsWith("datastoreuuid.") ? "datastoreuuid" : n)
                        .toList(), expected::equals);
    }

    @Test
    void copiesBeyondMaxConcurrentCopiesAreRefusedSayingHowManyRun() throws Exception {
        tearDown();
        harness = RimpServerHarness.inProcess("[rimp]\nrepository = ../run/repository\n"
                + "datastores = ../run/datastore\nmaxConcurrentCopies = 1\n", folder.resolve("conf"));
        channel = harness.channel();
        blocking = RimpServiceGrpc.newBlockingStub(channel);
        TestFiles.dense(repository.resolve("one.raw"), 1 << 20, 3);
        java.util.concurrent.CountDownLatch release = new java.util.concurrent.CountDownLatch(1);
        harness.holdRequestThreads(release);
        // the first copy takes the only slot and waits for a thread; the second is refused at once
        Iterator<CopyFromRepositoryToDatastoreResponse> first = blocking.copyFromRepositoryToDatastore(
                CopyFromRepositoryToDatastoreRequest.newBuilder().setRepositoryPath("one.raw")
                        .setDatastorePath(datastore.toString()).setVmUuid("first").build());
        // the second may only be sent once the first holds the slot (its copy waits for a thread), or the two race
        long deadline = System.nanoTime() + java.util.concurrent.TimeUnit.SECONDS.toNanos(30);
        while (harness.queuedRequests() < 1) {
            assertTrue(System.nanoTime() < deadline, "the first copy never queued");
            Thread.onSpinWait();
        }
        StatusRuntimeException refused = org.junit.jupiter.api.Assertions.assertThrows(StatusRuntimeException.class,
                () -> blocking.withDeadlineAfter(30, java.util.concurrent.TimeUnit.SECONDS)
                        .copyFromRepositoryToDatastore(CopyFromRepositoryToDatastoreRequest.newBuilder()
                        .setRepositoryPath("one.raw").setDatastorePath(datastore.toString()).setVmUuid("second")
                        .build()).next());
        assertEquals(Status.Code.RESOURCE_EXHAUSTED, refused.getStatus().getCode());
        assertEquals("COPY_LIMIT_REACHED", errorInfo(refused).getReason());
        assertTrue(refused.getStatus().getDescription().startsWith("1 copies are running or queued"),
                refused.getStatus().getDescription());
        assertEquals("1", errorInfo(refused).getMetadataOrThrow("limit"));
        release.countDown();
        List<CopyFromRepositoryToDatastoreResponse> messages = new ArrayList<>();
        first.forEachRemaining(messages::add);
        assertTrue(messages.get(messages.size() - 1).hasResult(), messages.toString());
        // the slot is free again
        List<CopyFromRepositoryToDatastoreResponse> again = new ArrayList<>();
        blocking.copyFromRepositoryToDatastore(CopyFromRepositoryToDatastoreRequest.newBuilder()
                .setRepositoryPath("one.raw").setDatastorePath(datastore.toString()).setVmUuid("third").build())
                .forEachRemaining(again::add);
        assertTrue(again.get(again.size() - 1).hasResult(), again.toString());
    }

    @Test
    void aCopyArrivingWhileTheRequestThreadsStopIsRefusedAsTheAgentStopping() throws Exception {
        TestFiles.dense(repository.resolve("one.raw"), 1 << 20, 3);
        harness.stopRequestThreads();
        StatusRuntimeException refused = org.junit.jupiter.api.Assertions.assertThrows(StatusRuntimeException.class,
                () -> blocking.withDeadlineAfter(30, java.util.concurrent.TimeUnit.SECONDS)
                        .copyFromRepositoryToDatastore(CopyFromRepositoryToDatastoreRequest.newBuilder()
                        .setRepositoryPath("one.raw").setDatastorePath(datastore.toString()).setVmUuid("late")
                        .build()).next());
        assertEquals(Status.Code.UNAVAILABLE, refused.getStatus().getCode());
        assertEquals("AGENT_STOPPING", errorInfo(refused).getReason());
        assertFalse(Files.exists(datastore.resolve("late")), "nothing was written for the refused copy");
    }
}
