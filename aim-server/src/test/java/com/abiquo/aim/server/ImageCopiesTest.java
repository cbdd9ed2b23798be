package com.abiquo.aim.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.abiquo.aim.client.AimClient;
import com.abiquo.aim.client.AimClientException;
import com.abiquo.aim.client.CopyOperation;
import com.abiquo.aim.client.ImageCopies;
import com.abiquo.aim.testing.Waits;
import com.abiquo.aim.v1.UploadResponse;
import io.grpc.Status;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

/** aim-client's copy helpers against the real agent: progress as the bytes go, and a cancel that leaves nothing. */
class ImageCopiesTest {
    @Test
    void anUploadReportsProgressAndACancelledOneLeavesNothingBehind() throws Exception {
        try (RunningAim aim = new RunningAim("");
                AimClient client = AimClient.builder("127.0.0.1:" + aim.port()).build()) {
            Path file = aim.folder().resolve("source.img");
            Files.write(file, new byte[64 * 1024 * 1024]);
            ImageCopies copies = new ImageCopies(client.channel());

            List<Long> done = new CopyOnWriteArrayList<>();
            Path whole = aim.folder().resolve("datastore").resolve("whole.img");
            UploadResponse uploaded = copies.upload(file, whole.toString(), "", (bytes, total, rate) -> done.add(bytes))
                    .await(Duration.ofSeconds(60));
            assertEquals(64L * 1024 * 1024, uploaded.getSizeBytes());
            assertEquals(64L * 1024 * 1024, done.get(done.size() - 1));
            assertTrue(done.size() >= 2, "progress while sending: " + done);

            Path cancelled = aim.folder().resolve("datastore").resolve("cancelled.img");
            AtomicReference<CopyOperation<UploadResponse>> operation = new AtomicReference<>();
            CopyOperation<UploadResponse> upload = copies.upload(file, cancelled.toString(), "",
                    (bytes, total, rate) -> {
                        if (bytes < total && operation.get() != null) {
                            operation.get().cancel(); // the operator pressed Ctrl-C
                        }
                    });
            operation.set(upload);
            AimClientException failure = assertThrows(AimClientException.class,
                    () -> upload.await(Duration.ofSeconds(60)));
            assertEquals(Status.Code.CANCELLED, failure.code());
            Waits.await("the partial upload removed", Duration.ofSeconds(30), () -> {
                try (var files = Files.list(cancelled.getParent())) {
                    return files.noneMatch(f -> f.getFileName().toString().contains("cancelled"));
                } catch (java.io.IOException e) {
                    return false;
                }
            });
            assertFalse(Files.exists(cancelled));
        }
    }
}
