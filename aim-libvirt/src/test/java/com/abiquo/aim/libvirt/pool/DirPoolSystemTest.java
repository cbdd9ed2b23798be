package com.abiquo.aim.libvirt.pool;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.abiquo.aim.core.error.AimException;
import com.abiquo.aim.core.spi.StoragePoolOperations.PoolInfo;
import com.abiquo.aim.core.spi.StoragePoolOperations.PoolSpec;
import com.abiquo.aim.core.spi.StoragePoolOperations.PoolType;
import com.abiquo.aim.core.spi.StoragePoolOperations.VolumeInfo;
import io.grpc.Status;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/** dir pools and qcow2/raw volumes on the node's real libvirtd (qemu:///system). */
@Tag("system")
class DirPoolSystemTest {
    private static final long MIB = 1L << 20;
    private TestLibvirtAccess libvirt;
    private LibvirtStoragePools pools;
    private Path folder;
    private String name;

    @BeforeEach
    void setUp() throws Exception {
        libvirt = TestLibvirtAccess.system();
        pools = new LibvirtStoragePools(() -> Optional.of(libvirt), Duration.ofSeconds(30));
        folder = Files.createTempDirectory("aimst-dir-");
        name = "aimst-" + folder.getFileName().toString().substring("aimst-dir-".length());
    }

    @AfterEach
    void tearDown() throws Exception {
        pools.deletePool(name);
        pools.deletePool(name + "-other");
        pools.close();
        libvirt.close();
        try (var files = Files.list(folder)) {
            for (Path file : (Iterable<Path>) files::iterator) {
                Files.delete(file);
            }
        }
        Files.deleteIfExists(folder);
    }

    private PoolSpec dir(String poolName, Path path) {
        return new PoolSpec(poolName, PoolType.DIR, path.toString(), "", 0, "", "", "", Optional.empty());
    }

    @Test
    void createsOnceThenRefreshesTheSamePool() throws Exception {
        LibvirtStoragePools.PoolOutcome first = pools.createOrRefresh(dir(name, folder));
        assertTrue(first.created());
        PoolInfo pool = first.pool();
        assertEquals(name, pool.name());
        assertEquals(PoolType.DIR, pool.type());
        assertTrue(pool.active());
        assertEquals(folder.toString(), pool.targetPath());
        assertTrue(pool.capacityBytes() > 0);
        assertTrue(libvirt.connect().storagePoolLookupByName(name).getAutostart());

        LibvirtStoragePools.PoolOutcome again = pools.createOrRefresh(dir(name, folder));
        assertFalse(again.created());
        assertEquals(pool.uuid(), again.pool().uuid());

        // Another name on the same folder: the original AIM refreshed the existing pool instead of failing.
        LibvirtStoragePools.PoolOutcome sameFolder = pools.createOrRefresh(dir(name + "-other", folder));
        assertFalse(sameFolder.created());
        assertEquals(name, sameFolder.pool().name());

        assertTrue(pools.listPools().stream().anyMatch(listed -> listed.name().equals(name)));
        assertEquals(pool.uuid(), pools.refreshPool(name).uuid());
    }

    @Test
    void concurrentCreatesOfTheSamePoolMakeOnePool() throws Exception {
        var executor = java.util.concurrent.Executors.newFixedThreadPool(4);
        try {
            List<java.util.concurrent.Future<LibvirtStoragePools.PoolOutcome>> results = new java.util.ArrayList<>();
            for (int i = 0; i < 4; i++) {
                results.add(executor.submit(() -> pools.createOrRefresh(dir(name, folder))));
            }
            int created = 0;
            for (var result : results) {
                created += result.get().created() ? 1 : 0;
            }
            assertEquals(1, created);
        } finally {
            executor.shutdownNow();
        }
    }

    @Test
    void aStoppedPoolIsStartedAgain() throws Exception {
        pools.createOrRefresh(dir(name, folder));
        libvirt.connect().storagePoolLookupByName(name).destroy();
        AimException inactive = assertThrows(AimException.class, () -> pools.refreshPool(name));
        assertEquals(Status.Code.FAILED_PRECONDITION, inactive.code());
        assertTrue(pools.createOrRefresh(dir(name, folder)).pool().active());
    }

    @Test
    void theSameNameWithAnotherFolderIsAlreadyExists() throws Exception {
        pools.createOrRefresh(dir(name, folder));
        Path other = Files.createDirectory(folder.resolve("other"));
        AimException failure = assertThrows(AimException.class, () -> pools.createOrRefresh(dir(name, other)));
        assertEquals(Status.Code.ALREADY_EXISTS, failure.code());
        assertTrue(failure.getMessage().contains(folder.toString()), failure.getMessage());
        Files.delete(other);
    }

    @Test
    void volumesAreCreatedResizedAndDeleted() throws Exception {
        pools.createOrRefresh(dir(name, folder));
        VolumeInfo qcow2 = pools.createVolume(name, "disk0.qcow2", 64 * MIB, 0, "qcow2");
        assertEquals("qcow2", qcow2.format());
        assertEquals(64 * MIB, qcow2.capacityBytes());
        assertEquals(folder.resolve("disk0.qcow2").toString(), qcow2.path());
        VolumeInfo raw = pools.createVolume(name, "disk1.raw", 10 * MIB, 0, "raw");
        assertEquals("raw", raw.format());
        assertEquals(10 * MIB, Files.size(folder.resolve("disk1.raw")));
        assertEquals(List.of("disk0.qcow2", "disk1.raw"),
                pools.listVolumes(name).stream().map(VolumeInfo::name).toList());

        assertEquals(20 * MIB, pools.resizeVolume(name, "disk1.raw", 20 * MIB, false).capacityBytes());
        assertEquals(20 * MIB, Files.size(folder.resolve("disk1.raw")));
        assertEquals(128 * MIB, pools.resizeVolume(name, "disk0.qcow2", 128 * MIB, false).capacityBytes());

        AimException refused = assertThrows(AimException.class,
                () -> pools.resizeVolume(name, "disk1.raw", 5 * MIB, false));
        assertEquals(Status.Code.FAILED_PRECONDITION, refused.code());
        assertEquals("VOLUME_SHRINK_REFUSED", refused.reason().name());
        assertEquals(20 * MIB, Files.size(folder.resolve("disk1.raw")));
        assertEquals(5 * MIB, pools.resizeVolume(name, "disk1.raw", 5 * MIB, true).capacityBytes());
        assertEquals(5 * MIB, Files.size(folder.resolve("disk1.raw")));

        // Fully allocated: libvirt cannot shrink it below its allocation, which is the volume's state, not bad input.
        pools.createVolume(name, "full.raw", 4 * MIB, 4 * MIB, "raw");
        AimException allocated = assertThrows(AimException.class,
                () -> pools.resizeVolume(name, "full.raw", MIB, true));
        assertEquals(Status.Code.FAILED_PRECONDITION, allocated.code());
        assertEquals("VOLUME_SHRINK_BELOW_ALLOCATION", allocated.reason().name());
        assertEquals(4 * MIB, Files.size(folder.resolve("full.raw")));
        pools.deleteVolume(name, "full.raw");

        AimException duplicate = assertThrows(AimException.class,
                () -> pools.createVolume(name, "disk1.raw", MIB, 0, "raw"));
        assertEquals(Status.Code.ALREADY_EXISTS, duplicate.code());

        pools.deleteVolume(name, "disk0.qcow2");
        pools.deleteVolume(name, "disk0.qcow2");
        assertFalse(Files.exists(folder.resolve("disk0.qcow2")));
        assertEquals(List.of("disk1.raw"), pools.listVolumes(name).stream().map(VolumeInfo::name).toList());
        pools.deleteVolume(name, "disk1.raw");
    }

    @Test
    void badInputIsRefusedBeforeLibvirtIsCalled() throws Exception {
        pools.createOrRefresh(dir(name, folder));
        assertCode(Status.Code.INVALID_ARGUMENT, () -> pools.createVolume(name, "../escape", MIB, 0, "raw"));
        assertCode(Status.Code.INVALID_ARGUMENT, () -> pools.createVolume(name, "disk", MIB, 0, "vmdk"));
        assertCode(Status.Code.INVALID_ARGUMENT, () -> pools.createVolume(name, "disk", 0, 0, "raw"));
        assertCode(Status.Code.INVALID_ARGUMENT, () -> pools.createVolume(name, "disk", MIB, 2 * MIB, "raw"));
        assertCode(Status.Code.INVALID_ARGUMENT, () -> pools.createOrRefresh(dir("bad/name", folder)));
        assertCode(Status.Code.INVALID_ARGUMENT, () -> pools.createOrRefresh(new PoolSpec(name + "x", PoolType.DIR,
                "relative/path", "", 0, "", "", "", Optional.empty())));
        assertCode(Status.Code.NOT_FOUND, () -> pools.listVolumes(name + "-absent"));
        assertCode(Status.Code.NOT_FOUND, () -> pools.resizeVolume(name, "absent.raw", MIB, false));
        pools.deletePool(name + "-absent");
    }

    private static void assertCode(Status.Code code, org.junit.jupiter.api.function.Executable call) {
        AimException failure = assertThrows(AimException.class, call);
        assertEquals(code, failure.code(), failure.getMessage());
    }
}
