package com.abiquo.aim.rimp.image;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.abiquo.aim.core.error.AimException;
import com.abiquo.aim.rimp.RimpErrorReason;
import com.abiquo.aim.rimp.TestFiles;
import com.abiquo.aim.rimp.copy.CopyControl;
import com.abiquo.aim.rimp.copy.CopyMethod;
import com.abiquo.aim.rimp.copy.CopyOutcome;
import io.grpc.Status;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The original's deploy/undeploy/snapshot/instance/rename rules on real folders of the work disk. */
class ImageOperationsTest {
    private static final String IMAGE = "1/rs/abiquo/ubuntu/ubuntu.raw";

    @TempDir
    Path folder;
    private Fixture fixture;
    private Path image;
    private String ds;
    private final ExecutorService pool = Executors.newFixedThreadPool(4);

    @BeforeEach
    void setUp() throws Exception {
        fixture = new Fixture(folder);
        image = TestFiles.sparse(fixture.repository.resolve(IMAGE), 32L << 20, 3, 11);
        ds = fixture.datastore.toString();
    }

    @AfterEach
    void tearDown() {
        pool.shutdownNow();
    }

    private Path instance(String vm) {
        return fixture.datastore.resolve(vm);
    }

    @Test
    void deployCopiesTheImageToTheInstancePath() throws Exception {
        CopyOutcome outcome = fixture.operations(false, false).deploy(IMAGE, ds, "ABQ_1", true, CopyControl.none());

        assertEquals(instance("ABQ_1"), outcome.path());
        assertEquals(TestFiles.sha256sum(image), TestFiles.sha256sum(instance("ABQ_1")));
        assertEquals(3L << 20, outcome.copiedBytes());
        assertEquals(List.of("", "ABQ_1"), TestFiles.names(fixture.datastore));
    }

    @Test
    void deployAcceptsAnAbsoluteRepositoryPathInsideIt() throws Exception {
        fixture.operations(false, false).deploy(image.toString(), ds, "ABQ_1", false, CopyControl.none());
        assertTrue(Files.exists(instance("ABQ_1")));
    }

    @Test
    void deployReplacesAnExistingInstanceUnlessRestoreAndBackupAreBothOn() throws Exception {
        for (boolean[] flags : new boolean[][] {{false, false}, {true, false}, {false, true}}) {
            Files.writeString(instance("vm"), "old instance");
            fixture.operations(flags[0], flags[1]).deploy(IMAGE, ds, "vm", false, CopyControl.none());
            assertEquals(TestFiles.sha256sum(image), TestFiles.sha256sum(instance("vm")),
                    "autoBackup=" + flags[0] + " autoRestore=" + flags[1]);
            Files.delete(instance("vm"));
        }
        Files.writeString(instance("vm"), "old instance");
        CopyOutcome kept = fixture.operations(true, true).deploy(IMAGE, ds, "vm", false, CopyControl.none());
        assertEquals(CopyMethod.KEPT_EXISTING, kept.method());
        assertEquals("old instance", Files.readString(instance("vm")));
    }

    @Test
    void autoRestoreMovesTheBackupBackInsteadOfCopying() throws Exception {
        Files.createDirectories(fixture.datastore.resolve("backup"));
        Files.writeString(fixture.datastore.resolve("backup/vm"), "backed up disk");

        CopyOutcome restored = fixture.operations(false, true).deploy(IMAGE, ds, "vm", false, CopyControl.none());

        assertEquals(CopyMethod.RENAMED, restored.method());
        assertEquals("backed up disk", Files.readString(instance("vm")));
        assertFalse(Files.exists(fixture.datastore.resolve("backup/vm")));
    }

    @Test
    void withoutAutoRestoreTheBackupIsIgnored() throws Exception {
        Files.createDirectories(fixture.datastore.resolve("backup"));
        Files.writeString(fixture.datastore.resolve("backup/vm"), "backed up disk");

        fixture.operations(true, false).deploy(IMAGE, ds, "vm", false, CopyControl.none());

        assertEquals(TestFiles.sha256sum(image), TestFiles.sha256sum(instance("vm")));
        assertEquals("backed up disk", Files.readString(fixture.datastore.resolve("backup/vm")));
    }

    @Test
    void aMissingImageIsNotFoundAndTheExistingInstanceStays() throws Exception {
        Files.writeString(instance("vm"), "running disk");
        AimException missing = assertThrows(AimException.class, () -> fixture.operations(false, false)
                .deploy("1/none.raw", ds, "vm", false, CopyControl.none()));
        assertEquals(Status.Code.NOT_FOUND, missing.code());
        assertEquals(RimpErrorReason.PATH_NOT_FOUND, missing.reason(), "one reason for a missing source (issue 11)");
        assertEquals("running disk", Files.readString(instance("vm")));
    }

    @Test
    void deployNeedsAUsableRepository() throws Exception {
        Files.delete(fixture.repository.resolve(Repository.MARK));
        AimException unusable = assertThrows(AimException.class, () -> fixture.operations(false, false)
                .deploy(IMAGE, ds, "vm", false, CopyControl.none()));
        assertEquals(Status.Code.FAILED_PRECONDITION, unusable.code());
        assertTrue(unusable.getMessage().contains(".abiquo_repository"), unusable.getMessage());
    }

    @Test
    void undeployDeletesOrBacksUpAndIsIdempotent() throws Exception {
        Files.writeString(instance("vm"), "disk one");
        ImageOperations.Undeployed deleted = fixture.operations(false, false).undeploy(ds, "vm");
        assertTrue(deleted.instanceFound());
        assertFalse(Files.exists(instance("vm")));
        assertFalse(Files.exists(fixture.datastore.resolve("backup")));

        ImageOperations.Undeployed again = fixture.operations(false, false).undeploy(ds, "vm");
        assertFalse(again.instanceFound(), "a missing instance is a warning, not an error");

        Files.writeString(fixture.datastore.resolve("vm"), "disk two");
        ImageOperations backup = fixture.operations(true, false);
        assertEquals(fixture.datastore.resolve("backup/vm"), backup.undeploy(ds, "vm").backup().orElseThrow());
        Files.writeString(instance("vm"), "disk three");
        backup.undeploy(ds, "vm");
        assertEquals("disk three", Files.readString(fixture.datastore.resolve("backup/vm")),
                "an older backup is replaced");
        assertFalse(Files.exists(instance("vm")));
    }

    @Test
    void snapshotCreatesTheFolderAndNeverOverwrites() throws Exception {
        TestFiles.dense(instance("vm"), 100_000, 5);
        ImageOperations operations = fixture.operations(false, false);

        CopyOutcome snapshot = operations.snapshot("vm", "snap-1.raw", "1/snapshots/new", ds, true,
                CopyControl.none());

        Path copy = fixture.repository.resolve("1/snapshots/new/snap-1.raw");
        assertEquals(copy, snapshot.path());
        assertEquals(TestFiles.sha256sum(instance("vm")), TestFiles.sha256sum(copy));
        AimException exists = assertThrows(AimException.class, () -> operations.snapshot("vm", "snap-1.raw",
                "1/snapshots/new", ds, false, CopyControl.none()));
        assertEquals(Status.Code.ALREADY_EXISTS, exists.code());
        assertEquals(List.of("", "snap-1.raw"), TestFiles.names(copy.getParent()));
    }

    @Test
    void instanceDiskCopiesAcrossDatastoresAndNeverOverwrites() throws Exception {
        TestFiles.dense(instance("vm"), 50_000, 6);
        ImageOperations operations = fixture.operations(false, false);
        Path target = fixture.datastore2.resolve("clones/vm-clone");

        operations.instanceDisk(instance("vm").toString(), target.toString(), false, CopyControl.none());

        assertEquals(TestFiles.sha256sum(instance("vm")), TestFiles.sha256sum(target));
        assertEquals(Status.Code.ALREADY_EXISTS, assertThrows(AimException.class, () -> operations.instanceDisk(
                instance("vm").toString(), target.toString(), false, CopyControl.none())).code());
    }

    @Test
    void renameMovesAtomicallyAndNeverOverwrites() throws Exception {
        Files.writeString(instance("a"), "disk a");
        Files.writeString(instance("b"), "disk b");
        ImageOperations operations = fixture.operations(false, false);

        assertEquals(Status.Code.ALREADY_EXISTS, assertThrows(AimException.class,
                () -> operations.rename(instance("a").toString(), instance("b").toString(),
                        CopyControl.none())).code());
        CopyOutcome renamed = operations.rename(instance("a").toString(), instance("c").toString(), CopyControl.none());

        assertEquals(CopyMethod.RENAMED, renamed.method());
        assertEquals("disk a", Files.readString(instance("c")));
        assertEquals("disk b", Files.readString(instance("b")));
        assertFalse(Files.exists(instance("a")));
    }

    @Test
    void aDeployCancelledBeforeItRunsTouchesNeitherTheInstanceNorTheBackup() throws Exception {
        Files.writeString(instance("vm"), "running disk");
        Files.createDirectories(fixture.datastore.resolve("backup"));
        Files.writeString(fixture.datastore.resolve("backup/vm"), "backed up disk");
        CopyControl cancelled = CopyControl.none();
        cancelled.cancel(new AimException(Status.Code.DEADLINE_EXCEEDED, RimpErrorReason.CANCELLED,
                "the call timed out while "
                + "queued", java.util.Map.of(), null));

        // autoRestore without autoBackup: a deploy that ran would delete the instance and move the backup back
        AimException stopped = assertThrows(AimException.class,
                () -> fixture.operations(false, true).deploy(IMAGE, ds, "vm", false, cancelled));

        assertEquals(Status.Code.DEADLINE_EXCEEDED, stopped.code());
        assertEquals("running disk", Files.readString(instance("vm")));
        assertEquals("backed up disk", Files.readString(fixture.datastore.resolve("backup/vm")));
    }

    @Test
    void aRenameAcrossFileSystemsKeepsTheCopyWhenOnlyTheFolderSyncFails() throws Exception {
        Path source = Files.writeString(instance("a"), "disk a");
        Path copy = Files.writeString(fixture.datastore2.resolve("a"), "disk a");

        AimException unsynced = assertThrows(AimException.class, () -> ImageOperations.removeCopiedSource(source,
                copy, folder -> {
                    throw new java.io.IOException("Input/output error");
                }));

        assertEquals(Status.Code.INTERNAL, unsynced.code(), unsynced.getMessage());
        assertFalse(Files.exists(source), "the source is gone");
        assertEquals("disk a", Files.readString(copy), "so the copy must stay: it is the only one left");
    }

    @Test
    void aRenameAcrossFileSystemsTakesTheCopyBackWhenTheSourceCannotBeRemoved() throws Exception {
        Path source = instance("gone");
        Path copy = Files.writeString(fixture.datastore2.resolve("gone"), "disk");

        AimException failed = assertThrows(AimException.class,
                () -> ImageOperations.removeCopiedSource(source, copy, folder -> { }));

        assertEquals(Status.Code.NOT_FOUND, failed.code(), failed.getMessage());
        assertEquals(RimpErrorReason.PATH_NOT_FOUND, failed.reason());
        assertFalse(Files.exists(copy), "the rename did not happen: no copy left behind");
    }

    @Test
    void diskFileSizeGivesApparentAndAllocatedBytes() throws Exception {
        ImageOperations.DiskSize size = fixture.operations(false, false).diskFileSize(image.toString());
        assertEquals(32L << 20, size.sizeBytes());
        assertEquals(3L << 20, size.allocatedBytes());
        assertEquals(Status.Code.INVALID_ARGUMENT, assertThrows(AimException.class,
                () -> fixture.operations(false, false).diskFileSize(ds)).code());
        AimException missing = assertThrows(AimException.class,
                () -> fixture.operations(false, false).diskFileSize(ds + "/none"));
        assertEquals(Status.Code.NOT_FOUND, missing.code());
        assertEquals(RimpErrorReason.PATH_NOT_FOUND, missing.reason());
    }

    @Test
    void sameDestinationAtOnceOneWinsTheOtherIsAborted() throws Exception {
        ImageOperations operations = fixture.operations(false, false);
        CountDownLatch firstIsCopying = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        CopyControl slow = new CopyControl((done, total, rate) -> {
            firstIsCopying.countDown();
            try {
                release.await();
            } catch (InterruptedException interrupted) {
                Thread.currentThread().interrupt();
            }
        });
        Future<CopyOutcome> first = pool.submit(() -> operations.deploy(IMAGE, ds, "vm", false, slow));
        assertTrue(firstIsCopying.await(10, java.util.concurrent.TimeUnit.SECONDS));

        AimException second = assertThrows(AimException.class,
                () -> operations.deploy(IMAGE, ds, "vm", false, CopyControl.none()));
        AimException undeploy = assertThrows(AimException.class, () -> operations.undeploy(ds, "vm"));
        CopyOutcome other = operations.deploy(IMAGE, ds, "other-vm", false, CopyControl.none());
        release.countDown();

        assertEquals(Status.Code.ABORTED, second.code());
        assertEquals(Status.Code.ABORTED, undeploy.code());
        assertEquals(instance("other-vm"), other.path(), "a different destination copies meanwhile");
        assertEquals(TestFiles.sha256sum(image), TestFiles.sha256sum(first.get().path()));
        assertEquals(List.of("", "other-vm", "vm"), TestFiles.names(fixture.datastore));
    }

    @Test
    void manyParallelDeploysOfDifferentVmsAllSucceed() throws Exception {
        ImageOperations operations = fixture.operations(false, false);
        List<Future<CopyOutcome>> copies = new ArrayList<>();
        for (int i = 0; i < 8; i++) {
            String vm = "vm" + i;
            copies.add(pool.submit(() -> operations.deploy(IMAGE, ds, vm, false, CopyControl.none())));
        }
        String expected = TestFiles.sha256sum(image);
        for (Future<CopyOutcome> copy : copies) {
            assertEquals(expected, TestFiles.sha256sum(copy.get().path()));
        }
        assertEquals(9, TestFiles.names(fixture.datastore).size());
    }

    @Test
    void undeployWithAutoBackupKeepsTheInstanceWhenTheBackupNameIsAFolder() throws Exception {
        Path instance = instance("vm");
        Files.writeString(instance, "disk");
        Files.createDirectories(fixture.datastore.resolve("backup/vm/inside"));

        AimException refused = assertThrows(AimException.class,
                () -> fixture.operations(true, false).undeploy(fixture.datastore.toString(), "vm"));

        assertEquals(Status.Code.FAILED_PRECONDITION, refused.code(), refused.getMessage());
        assertEquals("BACKUP_IS_FOLDER", refused.reason().name());
        assertEquals("disk", Files.readString(instance));
        assertTrue(Files.isDirectory(fixture.datastore.resolve("backup/vm/inside")));
    }
}
