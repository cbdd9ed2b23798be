package com.abiquo.aim.rimp.copy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.abiquo.aim.core.error.AimException;
import com.abiquo.aim.rimp.LoopMount;
import com.abiquo.aim.rimp.TestFiles;
import com.abiquo.aim.testing.SystemTestRequirements;
import io.grpc.Status;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Copies on file systems the test mounts (needs root): loop XFS and btrfs for reflinks, a small tmpfs for disk full. */
@Tag("system")
class RealFileSystemsTest {
    @TempDir
    Path folder;
    private final Temporaries temporaries = new Temporaries("fs-test-host");

    @BeforeEach
    void needsRoot() {
        SystemTestRequirements.requireRoot("mounting file systems");
    }

    @Test
    void onXfsACopyIsAReflinkCloneThatTakesNoSpaceAndNoTime() throws Exception {
        try (LoopMount xfs = LoopMount.xfs(folder, 1L << 30)) {
            Path source = TestFiles.dense(xfs.mountPoint.resolve("repo/image.raw"), 64L << 20, 1);
            Files.createDirectories(xfs.mountPoint.resolve("ds"));
            long freeBefore = Files.getFileStore(xfs.mountPoint).getUsableSpace();

            CopyOutcome clone = new ImageCopier(temporaries).copy(source, xfs.mountPoint.resolve("ds/vm"),
                    ImageCopier.Options.noReplace(true), CopyControl.none());

            assertEquals(CopyMethod.REFLINK, clone.method());
            assertEquals(0, clone.copiedBytes());
            assertEquals(TestFiles.sha256sum(source), clone.sha256());
            long used = freeBefore - Files.getFileStore(xfs.mountPoint).getUsableSpace();
            assertTrue(used < (4L << 20), "a clone shares the extents: " + used + " bytes used");
            assertEquals(List.of("", "vm"), TestFiles.names(xfs.mountPoint.resolve("ds")));
        }
    }

    @Test
    void onBtrfsToo() throws Exception {
        try (LoopMount btrfs = LoopMount.btrfs(folder, 512L << 20)) {
            Path source = TestFiles.sparse(btrfs.mountPoint.resolve("image.raw"), 256L << 20, 16, 7);

            CopyOutcome clone = new ImageCopier(temporaries).copy(source, btrfs.mountPoint.resolve("vm"),
                    ImageCopier.Options.noReplace(false), CopyControl.none());

            assertEquals(CopyMethod.REFLINK, clone.method());
            assertEquals(256L << 20, Files.size(btrfs.mountPoint.resolve("vm")));
            assertEquals(TestFiles.sha256sum(source), TestFiles.sha256sum(btrfs.mountPoint.resolve("vm")));
        }
    }

    @Test
    void fromExt4ToXfsOnlyTheDataIsCopiedAndHolesStay() throws Exception {
        try (LoopMount xfs = LoopMount.xfs(folder, 1L << 30)) {
            Path source = TestFiles.sparse(folder.resolve("sparse.raw"), 128L << 20, 8, 2);

            CopyOutcome copy = new ImageCopier(temporaries).copy(source, xfs.mountPoint.resolve("vm"),
                    ImageCopier.Options.noReplace(true), CopyControl.none());

            assertTrue(copy.method() == CopyMethod.SPARSE_COPY || copy.method() == CopyMethod.SENDFILE_COPY,
                    copy.method().toString());
            assertEquals(8L << 20, copy.copiedBytes());
            assertEquals(128L << 20, Files.size(xfs.mountPoint.resolve("vm")));
            assertTrue(TestFiles.allocatedByStat(xfs.mountPoint.resolve("vm")) < (16L << 20));
            assertEquals(TestFiles.sha256sum(source), copy.sha256());
        }
    }

    @Test
    void notEnoughSpaceIsRefusedBeforeCopyingButASparseImageThatFitsIsCopied() throws Exception {
        try (LoopMount small = LoopMount.tmpfs(folder, 8L << 20)) {
            Path dense = TestFiles.dense(folder.resolve("dense.raw"), 12L << 20, 3);
            Path sparse = TestFiles.sparse(folder.resolve("sparse.raw"), 1L << 30, 2, 4);
            ImageCopier copier = new ImageCopier(temporaries);

            AimException full = assertThrows(AimException.class, () -> copier.copy(dense,
                    small.mountPoint.resolve("dense"), ImageCopier.Options.noReplace(false), CopyControl.none()));
            CopyOutcome fits = copier.copy(sparse, small.mountPoint.resolve("sparse"),
                    ImageCopier.Options.noReplace(false), CopyControl.none());

            assertEquals(Status.Code.RESOURCE_EXHAUSTED, full.code());
            assertTrue(full.getMessage().contains("needs " + (12L << 20) + " bytes"), full.getMessage());
            assertEquals(2L << 20, fits.copiedBytes(), "a 1 GiB image with 2 MiB of data fits in 8 MiB");
            assertEquals(List.of("", "sparse"), TestFiles.names(small.mountPoint));
        }
    }

    @Test
    void aDiskThatFillsUpMidCopyFailsWithResourceExhaustedAndLeavesNothing() throws Exception {
        try (LoopMount small = LoopMount.tmpfs(folder, 8L << 20)) {
            Path dense = TestFiles.dense(folder.resolve("dense.raw"), 12L << 20, 5);
            // the space check is skipped so that the copy really runs into the full disk
            ImageCopier blind = new ImageCopier(temporaries, 1 << 20, false);

            AimException full = assertThrows(AimException.class, () -> blind.copy(dense,
                    small.mountPoint.resolve("dense"), ImageCopier.Options.noReplace(false), CopyControl.none()));

            assertEquals(Status.Code.RESOURCE_EXHAUSTED, full.code());
            assertTrue(full.getMessage().contains("no space left"), full.getMessage());
            assertEquals(List.of(""), TestFiles.names(small.mountPoint), "no image, no temporary");
            assertTrue(Files.getFileStore(small.mountPoint).getUsableSpace() > (7L << 20), "space given back");
        }
    }

    @Test
    void toTmpfsInSmallChunksContentAndHolesStay() throws Exception {
        try (LoopMount tmpfs = LoopMount.tmpfs(folder, 64L << 20)) {
            Path dense = TestFiles.dense(folder.resolve("dense.raw"), (12L << 20) + 77, 8);
            Path sparse = TestFiles.sparse(folder.resolve("sparse.raw"), 1L << 30, 20, 9);
            // 256 KiB chunks: the 4 MiB writeback window is passed several times (ext4 -> tmpfs: sendfile)
            ImageCopier small = new ImageCopier(temporaries, 256 << 10);

            CopyOutcome denseCopy = small.copy(dense, tmpfs.mountPoint.resolve("dense"),
                    ImageCopier.Options.noReplace(false), CopyControl.none());
            CopyOutcome sparseCopy = small.copy(sparse, tmpfs.mountPoint.resolve("sparse"),
                    ImageCopier.Options.noReplace(false), CopyControl.none());

            assertEquals(TestFiles.sha256sum(dense), TestFiles.sha256sum(tmpfs.mountPoint.resolve("dense")));
            assertEquals(TestFiles.sha256sum(sparse), TestFiles.sha256sum(tmpfs.mountPoint.resolve("sparse")));
            assertEquals(20L << 20, sparseCopy.copiedBytes());
            assertEquals(1L << 30, Files.size(tmpfs.mountPoint.resolve("sparse")));
            assertTrue(TestFiles.allocatedByStat(tmpfs.mountPoint.resolve("sparse")) <= (21L << 20),
                    "holes stay holes on tmpfs");
            assertEquals(denseCopy.method(), sparseCopy.method());
            assertEquals(List.of("", "dense", "sparse"), TestFiles.names(tmpfs.mountPoint));
        }
    }

    @Test
    void aDiskThatFillsUpAfterSeveralWritebackWindowsLeavesNothing() throws Exception {
        try (LoopMount small = LoopMount.tmpfs(folder, 8L << 20)) {
            Path dense = TestFiles.dense(folder.resolve("dense.raw"), 12L << 20, 6);
            // 256 KiB chunks: the copy has waited for older pieces (4 MiB window) before the write that fails
            ImageCopier blind = new ImageCopier(temporaries, 256 << 10, false);

            AimException full = assertThrows(AimException.class, () -> blind.copy(dense,
                    small.mountPoint.resolve("dense"), ImageCopier.Options.noReplace(false), CopyControl.none()));

            assertEquals(Status.Code.RESOURCE_EXHAUSTED, full.code());
            assertEquals(List.of(""), TestFiles.names(small.mountPoint), "no image, no temporary");
            assertTrue(Files.getFileStore(small.mountPoint).getUsableSpace() > (7L << 20), "space given back");
        }
    }

    @Test
    void aWritebackErrorSeenWhileWaitingForTheWindowFailsTheCopy() throws Exception {
        // an XFS whose image file sits on a small tmpfs: writes to the page cache succeed, the writeback of the
        // first pieces fails (ENOSPC from the loop device); then space comes back, so the later pieces and the
        // final fsync succeed. Waiting for the window consumes the error (Linux 4.14+): only that wait sees it.
        try (LoopMount backing = LoopMount.tmpfs(folder, 176L << 20);
             LoopMount xfs = LoopMount.xfs(backing.mountPoint, 1L << 30)) {
            Path source = TestFiles.dense(folder.resolve("dense.raw"), 64L << 20, 10);
            Path filler = backing.mountPoint.resolve("filler");
            long free = Files.getFileStore(backing.mountPoint).getUsableSpace();
            TestFiles.dense(filler, free - (4L << 20), 11);
            ImageCopier blind = new ImageCopier(temporaries, 1 << 20, false); // a 16 MiB writeback window
            CopyControl spaceComesBack = new CopyControl((done, total, rate) -> {
                if (done >= (40L << 20)) {
                    try {
                        Files.deleteIfExists(filler);
                    } catch (java.io.IOException failure) {
                        throw new java.io.UncheckedIOException(failure);
                    }
                }
            });

            AimException lost = assertThrows(AimException.class, () -> blind.copy(source,
                    xfs.mountPoint.resolve("vm"), ImageCopier.Options.noReplace(false), spaceComesBack));

            // ENOSPC where the loop driver passes the backing file's error on (Linux 5.x and later), else EIO
            assertTrue(lost.code() == Status.Code.RESOURCE_EXHAUSTED || lost.code() == Status.Code.INTERNAL,
                    lost.code() + ": " + lost.getMessage());
            assertTrue(lost.getMessage().contains("sync_file_range"), lost.getMessage());
            assertEquals(List.of(""), TestFiles.names(xfs.mountPoint), "no image with lost data, no temporary");
        }
    }
}
