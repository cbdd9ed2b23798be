package com.abiquo.aim.storage.grpc;

import static com.abiquo.aim.storage.grpc.ServedModules.assertStatus;
import static com.abiquo.aim.storage.grpc.ServedModules.errorInfo;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.abiquo.aim.v1.CreateDiskRequest;
import com.abiquo.aim.v1.CreateStoragePoolRequest;
import com.abiquo.aim.v1.DefineDomainRequest;
import com.abiquo.aim.v1.DeleteStoragePoolRequest;
import com.abiquo.aim.v1.DeleteStoragePoolResponse;
import com.abiquo.aim.v1.DiskFormat;
import com.abiquo.aim.v1.DomainRef;
import com.abiquo.aim.v1.GetStoragePoolRequest;
import com.abiquo.aim.v1.PauseDomainRequest;
import com.abiquo.aim.v1.PowerOffDomainRequest;
import com.abiquo.aim.v1.PowerOnDomainRequest;
import com.abiquo.aim.v1.StoragePoolType;
import com.abiquo.aim.v1.UndefineDomainRequest;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.UUID;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * DeleteStoragePool refuses exactly what would take a disk away from a running domain, on libvirt's test driver
 * (test:///default, in this process: its pools can be netfs pools without an NFS server, and its domains "run"
 * without QEMU). A netfs pool is unmounted when stopped: refused while a running or paused domain has a disk on it,
 * allowed once the domain is off. A dir pool's files stay where they are: deleted even while a domain uses them.
 */
class PoolInUseTest {
    private static final long MIB = 1L << 20;
    private final String run = UUID.randomUUID().toString().substring(0, 8);
    private ServedModules aim;
    private Path folder;

    @BeforeEach
    void start() throws Exception {
        folder = Files.createTempDirectory("aimst-inuse-");
        aim = new ServedModules("test:///default", folder);
    }

    @AfterEach
    void stop() throws Exception {
        aim.close();
        try (var files = Files.walk(folder)) {
            files.sorted((first, second) -> second.compareTo(first)).forEach(path -> path.toFile().delete());
        }
    }

    @Test
    void aNetfsPoolIsNotUnmountedUnderARunningDomain() throws Exception {
        String pool = "aimst-nfs-" + run;
        String mountPoint = "/mnt/aimst-nfs-" + run;
        aim.stub.createStoragePool(CreateStoragePoolRequest.newBuilder().setName(pool)
                .setType(StoragePoolType.STORAGE_POOL_TYPE_NETFS).setSourceHost("nfs.example.org")
                .setSourceDir("/export/vms").setTargetPath(mountPoint).build());
        String disk = aim.stub.createDisk(CreateDiskRequest.newBuilder().setPool(pool).setName("d1.raw")
                .setCapacityBytes(MIB).setFormat(DiskFormat.DISK_FORMAT_RAW).build()).getVolume().getPath();
        String domain = "aimst-nfs-dom-" + run;
        DomainRef ref = DomainRef.newBuilder().setName(domain).build();
        aim.stub.defineDomain(DefineDomainRequest.newBuilder().setXml(testDomain(domain, disk)).build());
        aim.stub.powerOnDomain(PowerOnDomainRequest.newBuilder().setDomain(ref).build());
        try {
            StatusRuntimeException refused = assertStatus(Status.Code.FAILED_PRECONDITION, "POOL_IN_USE",
                    () -> aim.stub.deleteStoragePool(DeleteStoragePoolRequest.newBuilder().setName(pool).build()));
            String message = refused.getStatus().getDescription();
            assertTrue(message.contains(domain) && message.contains(disk) && message.contains(pool), message);
            assertEquals(pool, errorInfo(refused).getMetadataOrThrow("pool"));
            assertTrue(active(pool), "a refused deletion leaves the pool as it was");

            // Paused, the domain still holds its disk.
            aim.stub.pauseDomain(PauseDomainRequest.newBuilder().setDomain(ref).build());
            assertStatus(Status.Code.FAILED_PRECONDITION, "POOL_IN_USE",
                    () -> aim.stub.deleteStoragePool(DeleteStoragePoolRequest.newBuilder().setName(pool).build()));
            aim.stub.powerOffDomain(PowerOffDomainRequest.newBuilder().setDomain(ref).build());
        } finally {
            aim.stub.undefineDomain(UndefineDomainRequest.newBuilder().setDomain(ref).build());
        }
        DeleteStoragePoolResponse deleted = aim.stub.deleteStoragePool(DeleteStoragePoolRequest.newBuilder()
                .setName(pool).build());
        assertTrue(deleted.getFound() && deleted.getStopped());
    }

    @Test
    void aFileUnderTheMountPointThatIsNoVolumeCountsToo() throws Exception {
        String pool = "aimst-nfs2-" + run;
        String mountPoint = "/mnt/aimst-nfs2-" + run;
        aim.stub.createStoragePool(CreateStoragePoolRequest.newBuilder().setName(pool)
                .setType(StoragePoolType.STORAGE_POOL_TYPE_NETFS).setSourceHost("nfs.example.org")
                .setSourceDir("/export/vms").setTargetPath(mountPoint).build());
        String domain = "aimst-nfs2-dom-" + run;
        DomainRef ref = DomainRef.newBuilder().setName(domain).build();
        aim.stub.defineDomain(DefineDomainRequest.newBuilder().setXml(testDomain(domain,
                mountPoint + "/instances/" + run + "/disk0")).build());
        aim.stub.powerOnDomain(PowerOnDomainRequest.newBuilder().setDomain(ref).build());
        try {
            assertStatus(Status.Code.FAILED_PRECONDITION, "POOL_IN_USE",
                    () -> aim.stub.deleteStoragePool(DeleteStoragePoolRequest.newBuilder().setName(pool).build()));
        } finally {
            aim.stub.powerOffDomain(PowerOffDomainRequest.newBuilder().setDomain(ref).build());
            aim.stub.undefineDomain(UndefineDomainRequest.newBuilder().setDomain(ref).build());
        }
        assertTrue(aim.stub.deleteStoragePool(DeleteStoragePoolRequest.newBuilder().setName(pool).build())
                .getFound());
    }

    @Test
    void aDirPoolIsDeletedWhileARunningDomainUsesItsFilesWhichItKeepsUsing() throws Exception {
        String pool = "aimst-dir-" + run;
        Path images = Files.createDirectory(folder.resolve("images"));
        aim.stub.createStoragePool(CreateStoragePoolRequest.newBuilder().setName(pool)
                .setType(StoragePoolType.STORAGE_POOL_TYPE_DIR).setTargetPath(images.toString()).build());
        String disk = aim.stub.createDisk(CreateDiskRequest.newBuilder().setPool(pool).setName("d1.raw")
                .setCapacityBytes(MIB).setFormat(DiskFormat.DISK_FORMAT_RAW).build()).getVolume().getPath();
        String domain = "aimst-dir-dom-" + run;
        DomainRef ref = DomainRef.newBuilder().setName(domain).build();
        aim.stub.defineDomain(DefineDomainRequest.newBuilder().setXml(testDomain(domain, disk)).build());
        aim.stub.powerOnDomain(PowerOnDomainRequest.newBuilder().setDomain(ref).build());
        try {
            DeleteStoragePoolResponse deleted = aim.stub.deleteStoragePool(DeleteStoragePoolRequest.newBuilder()
                    .setName(pool).build());
            assertTrue(deleted.getFound() && deleted.getStopped());
            assertFalse(exists(pool));
        } finally {
            aim.stub.powerOffDomain(PowerOffDomainRequest.newBuilder().setDomain(ref).build());
            aim.stub.undefineDomain(UndefineDomainRequest.newBuilder().setDomain(ref).build());
        }
    }

    private boolean active(String pool) {
        return aim.stub.getStoragePool(GetStoragePoolRequest.newBuilder().setName(pool).build()).getPool()
                .getActive();
    }

    private boolean exists(String pool) {
        try {
            aim.stub.getStoragePool(GetStoragePoolRequest.newBuilder().setName(pool).build());
            return true;
        } catch (StatusRuntimeException failure) {
            assertEquals(Status.Code.NOT_FOUND, failure.getStatus().getCode());
            return false;
        }
    }

    private static String testDomain(String name, String disk) {
        return "<domain type='test'><name>" + name + "</name><memory unit='MiB'>64</memory><os><type>hvm</type>"
                + "</os><devices><disk type='file' device='disk'><source file='" + disk + "'/><target dev='vda'"
                + " bus='virtio'/></disk></devices></domain>";
    }
}
