package com.abiquo.aim.rimp.copy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.abiquo.aim.core.error.AimException;
import com.abiquo.aim.rimp.RimpErrorReason;
import com.abiquo.aim.rimp.TestFiles;
import io.grpc.Status;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The copier on the work disk (ext4): content, holes, no overwrite, cancellation, checksums. */
class ImageCopierTest {
    @TempDir
    Path folder;

    private final Temporaries temporaries = new Temporaries("test-host");
    private final ImageCopier copier = new ImageCopier(temporaries);

    @Test
    void copiesADenseFileByteForByte() throws Exception {
        Path source = TestFiles.dense(folder.resolve("src/disk.raw"), 3 * (1 << 20) + 123, 1);
        Files.createDirectories(folder.resolve("dst"));
        Path destination = folder.resolve("dst/disk.raw");

        CopyOutcome outcome = copier.copy(source, destination, ImageCopier.Options.noReplace(false),
                CopyControl.none());

        assertEquals(TestFiles.sha256sum(source), TestFiles.sha256sum(destination));
        assertEquals(Files.size(source), outcome.sizeBytes());
        assertEquals(Files.size(source), outcome.copiedBytes());
        assertEquals(CopyMethod.SPARSE_COPY, outcome.method(), "ext4 has no reflinks: in-kernel copy");
        assertEquals(List.of("disk.raw"), TestFiles.names(folder.resolve("dst")).subList(1, 2));
    }

    @Test
    void keepsHolesAndCopiesOnlyData() throws Exception {
        Path source = TestFiles.sparse(folder.resolve("sparse.raw"), 256L << 20, 4, 2);
        Path destination = folder.resolve("copy.raw");

        CopyOutcome outcome = copier.copy(source, destination, ImageCopier.Options.noReplace(true),
                CopyControl.none());

        assertEquals(256L << 20, Files.size(destination));
        assertEquals(4L << 20, outcome.copiedBytes(), "only the four data blocks are copied");
        assertTrue(TestFiles.allocatedByStat(destination) <= TestFiles.allocatedByStat(source) + (64 << 10),
                "the copy is as sparse as the source: " + TestFiles.allocatedByStat(destination));
        assertEquals(TestFiles.sha256sum(source), outcome.sha256());
        assertEquals("source", outcome.sha256ComparedWith());
    }

    @Test
    void aSourceThatIsASymbolicLinkIsNeverFollowed() throws Exception {
        Path secret = Files.writeString(folder.resolve("secret"), "not an image");
        Path swapped = Files.createSymbolicLink(folder.resolve("image.raw"), secret);
        Path destination = folder.resolve("copy.raw");

        AimException refused = assertThrows(AimException.class, () -> copier.copy(swapped, destination,
                ImageCopier.Options.noReplace(false), CopyControl.none()));

        assertEquals(Status.Code.FAILED_PRECONDITION, refused.code(), refused.getMessage());
        assertEquals("PATH_IS_LINK", refused.reason().name());
        assertTrue(refused.getMessage().contains(swapped.toString()), refused.getMessage());
        assertFalse(Files.exists(destination));
        assertEquals(List.of("", "image.raw", "secret"), TestFiles.names(folder), "no temporary left");
    }

    @Test
    void neverOverwritesWithoutReplace() throws Exception {
        Path source = TestFiles.dense(folder.resolve("a"), 4096, 3);
        Path destination = Files.writeString(folder.resolve("b"), "precious");

        AimException refused = assertThrows(AimException.class, () -> copier.copy(source, destination,
                ImageCopier.Options.noReplace(false), CopyControl.none()));

        assertEquals(Status.Code.ALREADY_EXISTS, refused.code());
        assertEquals("precious", Files.readString(destination));
        assertEquals(List.of("", "a", "b"), TestFiles.names(folder));
    }

    @Test
    void publishRefusesAnExistingNameEvenIfItAppearedDuringTheCopy() throws Exception {
        Path temporary = Files.writeString(folder.resolve(".x.aim-tmp-00000000-0000000000000000"), "new");
        Path destination = Files.writeString(folder.resolve("x"), "old");

        AimException refused;
        try (ConfinedFolder held = ConfinedFolder.open(folder, false)) {
            refused = assertThrows(AimException.class, () -> Publisher.publish(held, temporary, destination, false));
        }

        assertEquals(Status.Code.ALREADY_EXISTS, refused.code());
        assertEquals("old", Files.readString(destination));
    }

    @Test
    void cancellationStopsTheCopyAndRemovesTheTemporary() throws Exception {
        Path source = TestFiles.dense(folder.resolve("big.raw"), 8 << 20, 4);
        Path destination = folder.resolve("out/big.raw");
        Files.createDirectories(destination.getParent());
        List<Long> seen = new CopyOnWriteArrayList<>();
        CopyControl[] control = new CopyControl[1];
        control[0] = new CopyControl((done, total, rate) -> {
            seen.add(done);
            control[0].cancel(new AimException(Status.Code.CANCELLED, RimpErrorReason.CANCELLED, "test cancelled",
                    Map.of(), null));
        });
        ImageCopier smallChunks = new ImageCopier(temporaries, 1 << 20);

        AimException cancelled = assertThrows(AimException.class, () -> smallChunks.copy(source, destination,
                ImageCopier.Options.noReplace(false), control[0]));

        assertEquals(Status.Code.CANCELLED, cancelled.code());
        assertEquals(List.of(1L << 20), seen, "stopped after the first chunk");
        assertEquals(List.of(""), TestFiles.names(destination.getParent()), "no temporary, no final file");
    }

    @Test
    void reportsProgressUpToTheTotal() throws Exception {
        Path source = TestFiles.dense(folder.resolve("p.raw"), 5 << 20, 5);
        List<long[]> seen = new CopyOnWriteArrayList<>();
        new ImageCopier(temporaries, 1 << 20).copy(source, folder.resolve("q.raw"),
                ImageCopier.Options.noReplace(false),
                new CopyControl((done, total, rate) -> seen.add(new long[] {done, total})));

        assertEquals(5, seen.size());
        assertEquals(5L << 20, seen.get(4)[0]);
        assertEquals(5L << 20, seen.get(4)[1]);
    }

    @Test
    void aChecksumFileBesideTheSourceThatDisagreesFailsWithDataLossAndLeavesNothing() throws Exception {
        Path source = TestFiles.dense(folder.resolve("src/i.raw"), 1 << 16, 6);
        Files.writeString(folder.resolve("src/i.raw.sha256"), "0".repeat(64) + "  i.raw\n");
        Files.createDirectories(folder.resolve("dst"));

        AimException mismatch = assertThrows(AimException.class, () -> copier.copy(source,
                folder.resolve("dst/i.raw"), ImageCopier.Options.noReplace(true), CopyControl.none()));

        assertEquals(Status.Code.DATA_LOSS, mismatch.code());
        assertEquals(List.of(""), TestFiles.names(folder.resolve("dst")));
    }

    @Test
    void aMatchingChecksumFileIsReported() throws Exception {
        Path source = TestFiles.dense(folder.resolve("j.raw"), 1 << 16, 7);
        Files.writeString(folder.resolve("j.raw.sha256"), TestFiles.sha256sum(source) + "  j.raw\n");

        CopyOutcome outcome = copier.copy(source, folder.resolve("k.raw"), ImageCopier.Options.noReplace(true),
                CopyControl.none());

        assertEquals("sidecar", outcome.sha256ComparedWith());
        assertEquals(TestFiles.sha256sum(source), outcome.sha256());
    }

    @Test
    void aMissingSourceIsNotFound() {
        AimException missing = assertThrows(AimException.class, () -> copier.copy(folder.resolve("none"),
                folder.resolve("x"), ImageCopier.Options.noReplace(false), CopyControl.none()));
        assertEquals(Status.Code.NOT_FOUND, missing.code());
        assertEquals(RimpErrorReason.PATH_NOT_FOUND, missing.reason(), "one reason for a missing source (issue 11)");
        assertFalse(Files.exists(folder.resolve("x")));
    }

    @Test
    void smallChunksThroughTheWritebackWindowKeepContentAndHoles() throws Exception {
        // 256 KiB chunks: the writeback window (16 chunks, 4 MiB) is passed many times, so the copy waits for older
        // pieces while it reads ahead across extents, as a multi-GiB image does with the real sizes
        ImageCopier small = new ImageCopier(temporaries, 256 << 10);
        Path dense = TestFiles.dense(folder.resolve("dense.raw"), (20L << 20) + 123, 11);
        Path sparse = TestFiles.sparse(folder.resolve("sparse.raw"), 512L << 20, 24, 12);

        CopyOutcome denseCopy = small.copy(dense, folder.resolve("dense-copy"), ImageCopier.Options.noReplace(false),
                CopyControl.none());
        CopyOutcome sparseCopy = small.copy(sparse, folder.resolve("sparse-copy"),
                ImageCopier.Options.noReplace(false), CopyControl.none());

        assertEquals(TestFiles.sha256sum(dense), TestFiles.sha256sum(folder.resolve("dense-copy")));
        assertEquals((20L << 20) + 123, denseCopy.copiedBytes());
        assertEquals(TestFiles.sha256sum(sparse), TestFiles.sha256sum(folder.resolve("sparse-copy")));
        assertEquals(24L << 20, sparseCopy.copiedBytes(), "only the data extents");
        assertTrue(TestFiles.allocatedByStat(folder.resolve("sparse-copy"))
                <= TestFiles.allocatedByStat(sparse) + (64 << 10), "as sparse as the source");
        assertEquals(List.of("", "dense-copy", "dense.raw", "sparse-copy", "sparse.raw"), TestFiles.names(folder));
    }
}
