package com.abiquo.aim.rimp.datastore;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Datastores on real folders and the real mount table. */
class DatastoresTest {
    @TempDir
    Path folder;

    @Test
    void explicitFoldersAreMarkedOnceAndKeepTheirUuid() throws Exception {
        Path one = Files.createDirectories(folder.resolve("ds1"));
        Path two = Files.createDirectories(folder.resolve("ds2"));
        Datastores datastores = new Datastores(List.of(one, two, folder.resolve("missing")), Set.of("ext4"),
                MountTable.PROC_MOUNTS);

        List<DatastoreInfo> first = datastores.list();
        List<DatastoreInfo> second = datastores.list();

        assertEquals(2, first.size(), "a missing folder is left out");
        assertEquals(first.get(0).uuid(), second.get(0).uuid());
        assertTrue(Files.isDirectory(one.resolve("datastoreuuid." + first.get(0).uuid())));
        assertFalse(first.get(0).uuid().equals(first.get(1).uuid()));
        assertEquals(one, first.get(0).path());
        assertTrue(first.get(0).totalBytes() > 0 && first.get(0).usableBytes() > 0);
        assertEquals(Files.getFileStore(one).type(), first.get(0).type());
    }

    @Test
    void anExistingMarkIsUsed() throws Exception {
        Path one = Files.createDirectories(folder.resolve("ds"));
        Files.createDirectory(one.resolve("datastoreuuid.0f6c2a9e-5d51-4b8e-9a34-0e2d3e0b9c11"));
        Datastores datastores = new Datastores(List.of(one), Set.of(), MountTable.PROC_MOUNTS);
        assertEquals("0f6c2a9e-5d51-4b8e-9a34-0e2d3e0b9c11", datastores.list().get(0).uuid());
    }

    @Test
    void theMountTableGivesOnlyFoldersOfValidTypes() throws Exception {
        Path table = Files.writeString(folder.resolve("mounts"), String.join("\n",
                "/dev/vda " + folder.resolve("a") + " ext4 rw 0 0",
                "/dev/vdb " + folder.resolve("b") + " tmpfs rw 0 0",
                "/dev/vdc " + folder.resolve("file") + " ext4 rw 0 0",
                "/dev/vdd " + folder.resolve("c") + " ext4 ro 0 0") + "\n");
        Files.createDirectories(folder.resolve("a"));
        Files.createDirectories(folder.resolve("b"));
        Files.createDirectories(folder.resolve("c"));
        Files.writeString(folder.resolve("file"), "a bind-mounted file, as containers have");
        Datastores datastores = new Datastores(List.of(), Set.of("ext4"), table);

        List<DatastoreInfo> listed = datastores.list();

        assertEquals(List.of(folder.resolve("a"), folder.resolve("c")), listed.stream().map(DatastoreInfo::path)
                .toList());
        assertEquals("/dev/vda", listed.get(0).device());
        assertFalse(listed.get(0).uuid().isEmpty());
        assertTrue(listed.get(1).readOnly());
        assertEquals("", listed.get(1).uuid(), "no mark is made on a read-only datastore");
    }

    @Test
    void theRealMountTableIsReadable() throws Exception {
        // this machine's root file system is ext4; listing it must work (marks are not asserted: not our folder)
        List<Path> folders = new Datastores(List.of(), Set.of("ext4", "xfs"), MountTable.PROC_MOUNTS).folders();
        assertTrue(folders.contains(Path.of("/")), "the root file system is an ext4 datastore: " + folders);
    }
}
