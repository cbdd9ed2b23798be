package com.abiquo.aim.rimp.image;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.abiquo.aim.core.error.AimException;
import com.abiquo.aim.rimp.RimpErrorReason;
import com.abiquo.aim.rimp.TestFiles;
import com.abiquo.aim.rimp.copy.CopyControl;
import com.abiquo.aim.rimp.copy.CopyMethod;
import com.abiquo.aim.rimp.copy.CopyOutcome;
import com.abiquo.aim.rimp.copy.DestinationLocks;
import com.abiquo.aim.rimp.copy.ImageCopier;
import com.abiquo.aim.rimp.copy.Temporaries;
import com.abiquo.aim.rimp.datastore.Datastores;
import com.abiquo.aim.rimp.datastore.MountTable;
import com.abiquo.aim.testing.SystemTestRequirements;
import io.grpc.Status;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Datastores on mounts the test makes (needs root): a read-only one, and bind mounts, which share the device
 * number of the file system they show while rename(2) still refuses to cross them (EXDEV).
 */
@Tag("system")
class MountEdgesTest {
    @TempDir
    Path folder;
    private final List<Path> mounts = new ArrayList<>();
    private Path repository;
    private Path datastore;

    @BeforeEach
    void setUp() throws Exception {
        SystemTestRequirements.requireRoot("mounting");
        repository = Files.createDirectories(folder.resolve("repository"));
        Files.createFile(repository.resolve(Repository.MARK));
        TestFiles.dense(repository.resolve("disk.raw"), 3 << 20, 7);
        datastore = Files.createDirectories(folder.resolve("datastore"));
    }

    @AfterEach
    void unmount() throws Exception {
        for (int i = mounts.size() - 1; i >= 0; i--) {
            TestFiles.run("umount", mounts.get(i).toString());
        }
    }

    @Test
    void aDeployToAReadOnlyDatastoreIsAFailedPreconditionAndLeavesNothing() throws Exception {
        Path readOnly = mount(Files.createDirectory(folder.resolve("ro")), "-t", "tmpfs", "-o", "ro,size=8m",
                "tmpfs");

        AimException refused = assertThrows(AimException.class, () -> operations(readOnly).deploy("disk.raw",
                readOnly.toString(), "vm1", false, CopyControl.none()));

        assertEquals(Status.Code.FAILED_PRECONDITION, refused.code(), refused.getMessage());
        assertEquals("READ_ONLY_FILE_SYSTEM", refused.reason().name());
        assertEquals(List.of(""), TestFiles.names(readOnly));
    }

    @Test
    void aRenameAcrossBindMountsOfOneFileSystemIsACopy() throws Exception {
        Path shown = Files.createDirectory(folder.resolve("shown"));
        Path bound = mount(Files.createDirectory(folder.resolve("bound")), "--bind", shown.toString());
        Path source = TestFiles.dense(datastore.resolve("vm1"), 3 << 20, 3);
        String sum = TestFiles.sha256sum(source);
        assertEquals(Files.getAttribute(datastore, "unix:dev"), Files.getAttribute(bound, "unix:dev"),
                "a bind mount shows the same device");

        CopyOutcome renamed = operations(bound).rename(source.toString(), bound + "/vm1", CopyControl.none());

        assertNotEquals(CopyMethod.RENAMED, renamed.method(), "rename(2) cannot cross mounts: EXDEV, then a copy");
        assertEquals(sum, TestFiles.sha256sum(shown.resolve("vm1")));
        assertTrue(Files.notExists(source), "the source is gone, as after a rename");
        assertEquals(List.of("", "vm1"), TestFiles.names(shown));
    }

    @Test
    void aRenameWhoseSourceCannotBeRemovedLeavesNoCopyBehind() throws Exception {
        Path shown = Files.createDirectory(folder.resolve("shown"));
        Path source = TestFiles.dense(shown.resolve("vm1"), 3 << 20, 5);
        Path readOnly = mount(Files.createDirectory(folder.resolve("ro")), "--bind", shown.toString());
        TestFiles.run("mount", "-o", "remount,ro,bind", readOnly.toString());

        AimException refused = assertThrows(AimException.class, () -> operations(readOnly).rename(
                readOnly + "/vm1", datastore + "/vm1", CopyControl.none()));

        assertEquals(Status.Code.FAILED_PRECONDITION, refused.code(), refused.getMessage());
        assertEquals(List.of(""), TestFiles.names(datastore), "the copy was taken back");
        assertTrue(Files.exists(source));
    }

    @Test
    void aCancelledRenameAcrossFileSystemsKeepsTheSourceAndLeavesNoTemporary() throws Exception {
        Path shown = Files.createDirectory(folder.resolve("shown"));
        Path bound = mount(Files.createDirectory(folder.resolve("bound")), "--bind", shown.toString());
        Path source = TestFiles.dense(datastore.resolve("vm1"), 3 << 20, 9);
        CopyControl control = CopyControl.none();
        control.cancel(new AimException(Status.Code.CANCELLED, RimpErrorReason.CANCELLED, "test", Map.of(), null));

        AimException cancelled = assertThrows(AimException.class, () -> operations(bound).rename(source.toString(),
                bound + "/vm1", control));

        assertEquals(Status.Code.CANCELLED, cancelled.code());
        assertTrue(Files.exists(source));
        assertEquals(List.of(""), TestFiles.names(shown));
    }

    private Path mount(Path point, String... how) throws Exception {
        List<String> command = new ArrayList<>(List.of("mount"));
        command.addAll(List.of(how));
        command.add(point.toString());
        TestFiles.run(command.toArray(String[]::new));
        mounts.add(point);
        return point;
    }

    private ImageOperations operations(Path otherDatastore) {
        Roots roots = new Roots(new Repository(repository),
                new Datastores(List.of(datastore, otherDatastore), Set.of(), MountTable.PROC_MOUNTS));
        return new ImageOperations(roots, new ImageCopier(new Temporaries("mount-edges-host")),
                new DestinationLocks(), false, false);
    }
}
