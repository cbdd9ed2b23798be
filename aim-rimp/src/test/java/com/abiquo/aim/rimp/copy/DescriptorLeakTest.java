package com.abiquo.aim.rimp.copy;

import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.abiquo.aim.core.error.AimException;
import io.grpc.Status;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Refused, failed and cancelled copies give back every descriptor they opened (counted in /proc/self/fd). */
class DescriptorLeakTest {
    private static final int ROUNDS = 10;

    @TempDir
    Path folder;
    private final ImageCopier copier = new ImageCopier(new Temporaries("test-host"), 4096);

    @Test
    void noCopyThatEndsEarlyLeaksADescriptor() throws Exception {
        Path images = Files.createDirectories(folder.resolve("images"));
        Path source = Files.writeString(images.resolve("disk.raw"), "x".repeat(64 << 10));
        Files.writeString(images.resolve("disk.raw.sha256"), "0".repeat(64) + "  disk.raw\n"); // a mismatch
        Path taken = Files.writeString(folder.resolve("taken"), "precious");
        Path link = Files.createSymbolicLink(images.resolve("link.raw"), source);
        Path fifo = images.resolve("fifo.raw");
        if (new ProcessBuilder("mkfifo", fifo.toString()).start().waitFor() != 0) {
            throw new IOException("mkfifo failed");
        }
        everyEarlyEnd(source, taken, link, fifo); // warms up what the JVM opens once (classes, JNA)
        long before = descriptors();

        for (int i = 0; i < ROUNDS; i++) {
            everyEarlyEnd(source, taken, link, fifo);
        }

        long after = descriptors();
        assertTrue(after < before + ROUNDS, "descriptors before " + before + ", after " + ROUNDS + " rounds " + after);
    }

    private void everyEarlyEnd(Path source, Path taken, Path link, Path fifo) {
        Path destination = folder.resolve("copy.raw");
        refused(() -> copier.copy(source, taken, ImageCopier.Options.noReplace(false), CopyControl.none()));
        refused(() -> copier.copy(link, destination, ImageCopier.Options.noReplace(false), CopyControl.none()));
        refused(() -> copier.copy(fifo, destination, ImageCopier.Options.noReplace(false), CopyControl.none()));
        refused(() -> copier.copy(folder.resolve("none/disk.raw"), destination,
                ImageCopier.Options.noReplace(false), CopyControl.none()));
        refused(() -> copier.copy(source, destination, ImageCopier.Options.noReplace(true), CopyControl.none()));
        CopyControl[] control = new CopyControl[1];
        control[0] = new CopyControl((done, total, rate) -> control[0].cancel(
                new AimException(Status.Code.CANCELLED, null, "cancelled by the test")));
        CopyControl cancelling = control[0];
        refused(() -> copier.copy(source, destination, ImageCopier.Options.noReplace(false), cancelling));
    }

    private static void refused(org.junit.jupiter.api.function.Executable copy) {
        assertThrows(Exception.class, copy);
    }

    private static long descriptors() throws IOException {
        try (Stream<Path> open = Files.list(Path.of("/proc/self/fd"))) {
            return open.count();
        }
    }
}
