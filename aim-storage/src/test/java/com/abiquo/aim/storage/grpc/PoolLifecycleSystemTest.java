package com.abiquo.aim.storage.grpc;

import static com.abiquo.aim.storage.grpc.ServedModules.assertStatus;
import static com.abiquo.aim.storage.grpc.ServedModules.errorInfo;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.abiquo.aim.storage.fixture.SystemLibvirt;
import com.abiquo.aim.v1.CreateDiskRequest;
import com.abiquo.aim.v1.CreateStoragePoolRequest;
import com.abiquo.aim.v1.DeleteDiskRequest;
import com.abiquo.aim.v1.DeleteStoragePoolRequest;
import com.abiquo.aim.v1.DeleteStoragePoolResponse;
import com.abiquo.aim.v1.DiskFormat;
import com.abiquo.aim.v1.GetStoragePoolRequest;
import com.abiquo.aim.v1.ListStoragePoolsRequest;
import com.abiquo.aim.v1.ListStorageVolumesRequest;
import com.abiquo.aim.v1.StoragePool;
import com.abiquo.aim.v1.StoragePoolType;
import com.abiquo.aim.v1.StorageVolume;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * The end of a pool's life through the Libvirt service, on the node's real libvirtd (qemu:///system) with dir pools
 * in temporary folders under unique names: listed, read, its volumes listed, deleted (the files stay), deleted
 * again (found = false); what is addressed through a deleted pool is NOT_FOUND.
 */
@Tag("system")
class PoolLifecycleSystemTest {
    private static final long MIB = 1L << 20;
    private SystemLibvirt libvirt;
    private ServedModules aim;
    private Path folder;
    private String run;
    private final List<String> poolsToRemove = new ArrayList<>();

    @BeforeEach
    void start() throws Exception {
        libvirt = SystemLibvirt.system();
        folder = Files.createTempDirectory("aimst-life-");
        run = folder.getFileName().toString().substring("aimst-life-".length());
        aim = new ServedModules("qemu:///system", folder);
    }

    @AfterEach
    void stop() throws Exception {
        for (String pool : poolsToRemove) {
            try {
                org.libvirt.StoragePool defined = libvirt.connect().storagePoolLookupByName(pool);
                if (defined.isActive() == 1) {
                    defined.destroy();
                }
                if (defined.isPersistent() == 1) {
                    defined.undefine();
                }
            } catch (org.libvirt.LibvirtException gone) {
                // not there: nothing to remove
            }
        }
        aim.close();
        libvirt.close();
        try (var files = Files.walk(folder)) {
            files.sorted((first, second) -> second.compareTo(first)).forEach(path -> path.toFile().delete());
        }
    }

    @Test
    void aPoolIsListedReadEmptiedOfItsDefinitionAndItsDataStays() throws Exception {
        String name = "aimst-life-" + run;
        poolsToRemove.add(name);
        Path images = Files.createDirectory(folder.resolve("images"));
        StoragePool created = aim.stub.createStoragePool(CreateStoragePoolRequest.newBuilder().setName(name)
                .setType(StoragePoolType.STORAGE_POOL_TYPE_DIR).setTargetPath(images.toString()).build()).getPool();
        aim.stub.createDisk(CreateDiskRequest.newBuilder().setPool(name).setName("d1.raw").setCapacityBytes(MIB)
                .setFormat(DiskFormat.DISK_FORMAT_RAW).build());
        Files.write(images.resolve("outside.raw"), new byte[4096]);   // e.g. a template copied in by Rimp

        // Listed (ordered by name) and read as libvirt has it.
        List<StoragePool> pools = aim.stub.listStoragePools(ListStoragePoolsRequest.getDefaultInstance())
                .getPoolsList();
        List<String> names = pools.stream().map(StoragePool::getName).toList();
        assertEquals(names.stream().sorted().toList(), names);
        StoragePool listed = pools.stream().filter(p -> p.getName().equals(name)).findFirst().orElseThrow();
        assertEquals(created.getUuid(), listed.getUuid());
        assertEquals(libvirt.connect().storagePoolLookupByName(name).getUUIDString(), listed.getUuid());
        assertTrue(listed.getActive());
        StoragePool read = aim.stub.getStoragePool(GetStoragePoolRequest.newBuilder().setName(name).build()).getPool();
        assertEquals(created.getUuid(), read.getUuid());
        assertEquals(images.toString(), read.getTargetPath());
        assertEquals(StoragePoolType.STORAGE_POOL_TYPE_DIR, read.getType());

        // Volumes: the file written behind libvirt's back appears with refresh.
        assertEquals(List.of("d1.raw"), volumeNames(name, false));
        List<StorageVolume> refreshed = aim.stub.listStorageVolumes(ListStorageVolumesRequest.newBuilder()
                .setPool(name).setRefresh(true).build()).getVolumesList();
        assertEquals(List.of("d1.raw", "outside.raw"), refreshed.stream().map(StorageVolume::getName).toList());
        assertEquals(images.resolve("d1.raw").toString(), refreshed.get(0).getPath());
        assertEquals(MIB, refreshed.get(0).getCapacityBytes());

        // Deleted: stopped and undefined; the data stays on the target.
        DeleteStoragePoolResponse deleted = aim.stub.deleteStoragePool(DeleteStoragePoolRequest.newBuilder()
                .setName(name).build());
        assertTrue(deleted.getFound());
        assertTrue(deleted.getStopped());
        assertFalse(Arrays.asList(libvirt.connect().listStoragePools()).contains(name));
        assertFalse(Arrays.asList(libvirt.connect().listDefinedStoragePools()).contains(name));
        assertEquals(MIB, Files.size(images.resolve("d1.raw")));
        assertTrue(Files.exists(images.resolve("outside.raw")));

        // Idempotent: deleting it again succeeds and says it was not there.
        assertEquals(DeleteStoragePoolResponse.getDefaultInstance(), aim.stub.deleteStoragePool(
                DeleteStoragePoolRequest.newBuilder().setName(name).build()));
        // What is addressed through a pool that is gone is NOT_FOUND, naming the pool.
        StatusRuntimeException missing = assertStatus(Status.Code.NOT_FOUND, "POOL_NOT_FOUND",
                () -> aim.stub.getStoragePool(GetStoragePoolRequest.newBuilder().setName(name).build()));
        assertEquals(name, errorInfo(missing).getMetadataOrThrow("pool"));
        assertStatus(Status.Code.NOT_FOUND, "POOL_NOT_FOUND", () -> aim.stub.listStorageVolumes(
                ListStorageVolumesRequest.newBuilder().setPool(name).build()));
        assertStatus(Status.Code.NOT_FOUND, "POOL_NOT_FOUND", () -> aim.stub.deleteDisk(
                DeleteDiskRequest.newBuilder().setPool(name).setName("d1.raw").build()));
        assertTrue(Files.exists(images.resolve("d1.raw")));
        assertFalse(aim.stub.listStoragePools(ListStoragePoolsRequest.getDefaultInstance()).getPoolsList().stream()
                .anyMatch(p -> p.getName().equals(name)));

        // Created again on the same folder: the data is found, and DeleteDisk says what it found.
        aim.stub.createStoragePool(CreateStoragePoolRequest.newBuilder().setName(name)
                .setType(StoragePoolType.STORAGE_POOL_TYPE_DIR).setTargetPath(images.toString()).build());
        assertEquals(List.of("d1.raw", "outside.raw"), volumeNames(name, false));
        assertTrue(aim.stub.deleteDisk(DeleteDiskRequest.newBuilder().setPool(name).setName("d1.raw").build())
                .getFound());
        assertFalse(Files.exists(images.resolve("d1.raw")));
        assertFalse(aim.stub.deleteDisk(DeleteDiskRequest.newBuilder().setPool(name).setName("d1.raw").build())
                .getFound());
    }

    @Test
    void aPoolThatIsNotStartedIsDeletedWithoutStoppingAndItsVolumesCannotBeListed() throws Exception {
        String name = "aimst-life-" + run + "-off";
        poolsToRemove.add(name);
        Path images = Files.createDirectory(folder.resolve("off"));
        libvirt.connect().storagePoolDefineXML("<pool type='dir'><name>" + name + "</name><target><path>" + images
                + "</path></target></pool>", 0);
        StoragePool listed = aim.stub.listStoragePools(ListStoragePoolsRequest.getDefaultInstance()).getPoolsList()
                .stream().filter(p -> p.getName().equals(name)).findFirst().orElseThrow();
        assertFalse(listed.getActive());
        assertEquals(0, listed.getCapacityBytes());
        StatusRuntimeException inactive = assertStatus(Status.Code.FAILED_PRECONDITION, "POOL_NOT_ACTIVE",
                () -> aim.stub.listStorageVolumes(ListStorageVolumesRequest.newBuilder().setPool(name).build()));
        assertEquals(name, errorInfo(inactive).getMetadataOrThrow("pool"));

        DeleteStoragePoolResponse deleted = aim.stub.deleteStoragePool(DeleteStoragePoolRequest.newBuilder()
                .setName(name).build());
        assertTrue(deleted.getFound());
        assertFalse(deleted.getStopped());
        assertFalse(Arrays.asList(libvirt.connect().listDefinedStoragePools()).contains(name));
        assertTrue(Files.isDirectory(images));
    }

    @Test
    void aPoolOfATypeAimDoesNotHandleIsNotListedNorReadButCanBeDeleted() throws Exception {
        // An fs pool (a block device mounted by libvirt), defined by another tool and never started.
        String name = "aimst-life-" + run + "-fs";
        poolsToRemove.add(name);
        libvirt.connect().storagePoolDefineXML("<pool type='fs'><name>" + name + "</name><source><device path='"
                + folder.resolve("no-such-device") + "'/></source><target><path>" + folder.resolve("mnt")
                + "</path></target></pool>", 0);
        assertFalse(aim.stub.listStoragePools(ListStoragePoolsRequest.getDefaultInstance()).getPoolsList().stream()
                .anyMatch(p -> p.getName().equals(name)));
        StatusRuntimeException unsupported = assertStatus(Status.Code.FAILED_PRECONDITION, "POOL_TYPE_UNSUPPORTED",
                () -> aim.stub.getStoragePool(GetStoragePoolRequest.newBuilder().setName(name).build()));
        assertEquals("fs", errorInfo(unsupported).getMetadataOrThrow("type"));
        assertTrue(aim.stub.deleteStoragePool(DeleteStoragePoolRequest.newBuilder().setName(name).build())
                .getFound());
        assertFalse(Arrays.asList(libvirt.connect().listDefinedStoragePools()).contains(name));
    }

    private List<String> volumeNames(String pool, boolean refresh) {
        return aim.stub.listStorageVolumes(ListStorageVolumesRequest.newBuilder().setPool(pool).setRefresh(refresh)
                .build()).getVolumesList().stream().map(StorageVolume::getName).toList();
    }
}
