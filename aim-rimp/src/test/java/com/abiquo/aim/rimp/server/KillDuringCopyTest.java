package com.abiquo.aim.rimp.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.abiquo.aim.rimp.TestFiles;
import com.abiquo.aim.rimp.copy.Temporaries;
import com.abiquo.aim.testing.Waits;
import com.abiquo.aim.v1.CopyFromRepositoryToDatastoreRequest;
import com.abiquo.aim.v1.RimpServiceGrpc;
import com.abiquo.aim.v1.UploadHeader;
import com.abiquo.aim.v1.UploadRequest;
import com.google.protobuf.ByteString;
import io.grpc.ManagedChannel;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.grpc.stub.StreamObserver;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A real server process killed with SIGKILL in the middle of an upload and of a deploy, then started again: no
 * partial image under a final name at any moment, and the temporaries are gone after the restart.
 */
class KillDuringCopyTest {
    @TempDir
    Path folder;
    private Process server;

    @AfterEach
    void tearDown() {
        if (server != null) {
            server.destroyForcibly();
        }
    }

    private int startServer(Path config) throws Exception {
        Path java = Path.of(System.getProperty("java.home"), "bin", "java");
        server = new ProcessBuilder(java.toString(), "-cp", System.getProperty("java.class.path"),
                RimpTestServerMain.class.getName(), config.toString())
                .redirectError(folder.resolve("server.log").toFile()).start();
        BufferedReader out = new BufferedReader(new InputStreamReader(server.getInputStream(), StandardCharsets.UTF_8));
        String line = out.readLine();
        assertTrue(line != null && line.startsWith("LISTENING "), "server did not start: " + line + "\n"
                + Files.readString(folder.resolve("server.log")));
        return Integer.parseInt(line.substring("LISTENING ".length()).strip());
    }

    @Test
    void killMinus9DuringCopiesLeavesNoPartialImageAndARestartCleansUp() throws Exception {
        Path repository = Files.createDirectories(folder.resolve("repository"));
        Files.createFile(repository.resolve(".abiquo_repository"));
        Path datastore = Files.createDirectories(folder.resolve("datastore"));
        Path image = TestFiles.sparse(repository.resolve("image.raw"), 128L << 20, 24, 9);
        String imageSum = TestFiles.sha256sum(image);
        Path config = Files.writeString(folder.resolve("aim.ini"),
                "[rimp]\nrepository = repository\ndatastores = datastore\n");

        int port = startServer(config);
        ManagedChannel channel = NettyChannelBuilder.forAddress("127.0.0.1", port).usePlaintext().build();
        try {
            RimpServiceGrpc.RimpServiceStub stub = RimpServiceGrpc.newStub(channel);
            StreamObserver<UploadRequest> upload = stub.upload(ignore());
            upload.onNext(UploadRequest.newBuilder().setHeader(UploadHeader.newBuilder()
                    .setPath(datastore.resolve("uploaded.raw").toString()).setSizeBytes(64L << 20)).build());
            byte[] chunk = new byte[1 << 20];
            java.util.Arrays.fill(chunk, (byte) 1);
            for (int i = 0; i < 8; i++) {
                upload.onNext(UploadRequest.newBuilder().setChunk(ByteString.copyFrom(chunk)).build());
            }
            Path uploadTemporary = waitForTemporary(datastore, "uploaded.raw", 8L << 20);
            stub.copyFromRepositoryToDatastore(CopyFromRepositoryToDatastoreRequest.newBuilder()
                    .setRepositoryPath("image.raw").setDatastorePath(datastore.toString()).setVmUuid("vm1").build(),
                    ignore());
            // Not a wait but the scenario: the kill lands somewhere in the deploy (before, during or after it; the
            // rule checked below holds for all), a little after the request left.
            Thread.sleep(30);

            server.destroyForcibly(); // SIGKILL
            assertTrue(server.waitFor(10, TimeUnit.SECONDS));

            assertTrue(Files.notExists(datastore.resolve("uploaded.raw")), "no partial upload under its name");
            assertTrue(Files.exists(uploadTemporary), "the killed upload left its temporary: " + names(datastore));
            assertWholeOrAbsent(datastore.resolve("vm1"), imageSum);
        } finally {
            channel.shutdownNow();
        }

        startServer(config);
        Waits.awaitValue("the restart to sweep the temporaries", Duration.ofSeconds(10), Waits.POLL,
                () -> names(datastore).stream().filter(Temporaries::isTemporaryName).toList(), List::isEmpty);
        assertTrue(Files.notExists(datastore.resolve("uploaded.raw")));
        assertWholeOrAbsent(datastore.resolve("vm1"), imageSum);
    }

    private static void assertWholeOrAbsent(Path instance, String expectedSum) throws Exception {
        if (Files.exists(instance)) {
            assertEquals(expectedSum, TestFiles.sha256sum(instance), "an image under its final name is whole");
        }
    }

    private static List<String> names(Path folder) throws Exception {
        try (var stream = Files.list(folder)) {
            return stream.map(path -> path.getFileName().toString()).sorted().toList();
        }
    }

    private static Path waitForTemporary(Path folder, String name, long atLeast) {
        return Waits.awaitValue("the upload's temporary to reach " + atLeast + " bytes", Duration.ofSeconds(10),
                Waits.POLL, () -> temporaryOfAtLeast(folder, name, atLeast), Optional::isPresent).orElseThrow();
    }

    private static Optional<Path> temporaryOfAtLeast(Path folder, String name, long atLeast) throws Exception {
        try (var stream = Files.list(folder)) {
            for (Path path : stream.toList()) {
                String file = path.getFileName().toString();
                if (file.startsWith("." + name) && Temporaries.isTemporaryName(file) && Files.size(path) >= atLeast) {
                    return Optional.of(path);
                }
            }
            return Optional.empty();
        }
    }

    private static <T> StreamObserver<T> ignore() {
        return new StreamObserver<>() {
            @Override
            public void onNext(T value) {
            }

            @Override
            public void onError(Throwable failure) {
            }

            @Override
            public void onCompleted() {
            }
        };
    }
}
