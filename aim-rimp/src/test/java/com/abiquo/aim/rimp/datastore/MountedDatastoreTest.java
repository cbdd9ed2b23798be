package com.abiquo.aim.rimp.datastore;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.abiquo.aim.rimp.LoopMount;
import com.abiquo.aim.testing.SystemTestRequirements;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A file system mounted by the test shows up in the real mount table as a datastore, marked once. */
@Tag("system")
class MountedDatastoreTest {
    @TempDir
    Path folder;

    @Test
    void aMountedXfsIsADatastoreWithItsMarkDeviceAndSizes() throws Exception {
        SystemTestRequirements.requireRoot("mounting");
        try (LoopMount xfs = LoopMount.xfs(folder, 512L << 20)) {
            Datastores datastores = new Datastores(List.of(), Set.of("xfs"), MountTable.PROC_MOUNTS);

            DatastoreInfo found = datastores.list().stream().filter(info -> info.path().equals(xfs.mountPoint))
                    .findFirst().orElseThrow(() -> new AssertionError("not listed"));
            DatastoreInfo again = datastores.list().stream().filter(info -> info.path().equals(xfs.mountPoint))
                    .findFirst().orElseThrow();

            assertEquals("xfs", found.type());
            assertTrue(found.device().startsWith("/dev/loop"), found.device());
            assertTrue(found.totalBytes() > 400L << 20 && found.totalBytes() <= 512L << 20, "" + found.totalBytes());
            assertTrue(found.usableBytes() > 0 && found.usableBytes() <= found.totalBytes());
            assertEquals(found.uuid(), again.uuid());
            assertTrue(Files.isDirectory(xfs.mountPoint.resolve("datastoreuuid." + found.uuid())));
            assertEquals(List.of(xfs.mountPoint), new Datastores(List.of(), Set.of("xfs"), MountTable.PROC_MOUNTS,
                    Set.of()).folders().stream().filter(point -> point.equals(xfs.mountPoint)).toList());
            assertEquals(List.of(), new Datastores(List.of(), Set.of("xfs"), MountTable.PROC_MOUNTS,
                    Set.of(xfs.mountPoint)).folders().stream().filter(point -> point.equals(xfs.mountPoint)).toList(),
                    "the repository's own mount is never a datastore");
        }
    }
}
