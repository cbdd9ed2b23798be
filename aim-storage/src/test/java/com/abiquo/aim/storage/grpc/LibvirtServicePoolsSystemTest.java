package com.abiquo.aim.storage.grpc;

import static com.abiquo.aim.storage.grpc.ServedModules.assertStatus;
import static com.abiquo.aim.storage.grpc.ServedModules.errorInfo;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.abiquo.aim.storage.fixture.SystemLibvirt;
import com.abiquo.aim.storage.fixture.TgtTarget;
import com.abiquo.aim.v1.CreateDiskRequest;
import com.abiquo.aim.v1.CreateStoragePoolRequest;
import com.abiquo.aim.v1.DefineDomainRequest;
import com.abiquo.aim.v1.DeleteDiskRequest;
import com.abiquo.aim.v1.DiskFormat;
import com.abiquo.aim.v1.DomainRef;
import com.abiquo.aim.v1.LibvirtServiceGrpc;
import com.abiquo.aim.v1.PowerOnDomainRequest;
import com.abiquo.aim.v1.ResizeDomainDiskRequest;
import com.abiquo.aim.v1.ResizeVolumeRequest;
import com.abiquo.aim.v1.StoragePool;
import com.abiquo.aim.v1.StoragePoolType;
import com.abiquo.aim.v1.StorageVolume;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.libvirt.StoragePoolInfo;

/**
 * The Libvirt service's pool and disk RPCs as a controller uses them: the libvirt and storage modules found through
 * ServiceLoader and started as aim-server starts them (the Libvirt service reaches this module's pools through the
 * registry), called through a real stub, against the node's real libvirtd (qemu:///system), real files and a real
 * tgtd target. What is checked is what a user checks: files on disk, qemu-img's view of them, libvirt's own state.
 */
@Tag("system")
class LibvirtServicePoolsSystemTest {
    private static final long MIB = 1L << 20;
    private SystemLibvirt libvirt;
    private ServedModules aim;
    private LibvirtServiceGrpc.LibvirtServiceBlockingStub stub;
    private Path folder;
    private String run;
    private final List<String> poolsToRemove = new ArrayList<>();

    @BeforeEach
    void start() throws Exception {
        libvirt = SystemLibvirt.system();
        folder = Files.createTempDirectory("aimst-lv-");
        run = folder.getFileName().toString().substring("aimst-lv-".length());
        aim = new ServedModules("qemu:///system", folder);
        stub = aim.stub;
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

    private CreateStoragePoolRequest dirPool(String name, Path path) {
        return CreateStoragePoolRequest.newBuilder().setName(name).setType(StoragePoolType.STORAGE_POOL_TYPE_DIR)
                .setTargetPath(path.toString()).build();
    }

    @Test
    void disksCreatedResizedAndDeletedThroughTheLibvirtServiceAreRealFiles() throws Exception {
        String name = "aimst-lv-" + run;
        poolsToRemove.add(name);
        Path images = Files.createDirectory(folder.resolve("images"));
        StoragePool pool = stub.createStoragePool(dirPool(name, images)).getPool();
        org.libvirt.StoragePool real = libvirt.connect().storagePoolLookupByName(name);
        assertEquals(real.getUUIDString(), pool.getUuid());
        assertEquals(StoragePoolType.STORAGE_POOL_TYPE_DIR, pool.getType());
        assertTrue(pool.getActive());
        assertTrue(real.getAutostart(), "a created pool starts with the node");
        assertEquals(images.toString(), pool.getTargetPath());
        StoragePoolInfo info = real.getInfo();
        assertEquals(info.capacity, pool.getCapacityBytes());
        assertEquals(Files.getFileStore(images).getTotalSpace(), pool.getCapacityBytes());
        assertTrue(pool.getAvailableBytes() > 0 && pool.getAvailableBytes() <= pool.getCapacityBytes());

        StorageVolume qcow2 = stub.createDisk(CreateDiskRequest.newBuilder().setPool(name).setName("d1.qcow2")
                .setCapacityBytes(64 * MIB).setFormat(DiskFormat.DISK_FORMAT_QCOW2).build()).getVolume();
        Path qcow2File = images.resolve("d1.qcow2");
        assertEquals(qcow2File.toString(), qcow2.getPath());
        assertEquals(Map.of("format", "qcow2", "virtual-size", Long.toString(64 * MIB)), qemuImgInfo(qcow2File));
        assertEquals(64 * MIB, qcow2.getCapacityBytes());
        assertEquals("qcow2", qcow2.getFormat());
        assertEquals(name, qcow2.getPool());

        StorageVolume raw = stub.createDisk(CreateDiskRequest.newBuilder().setPool(name).setName("d2.raw")
                .setCapacityBytes(10 * MIB).setAllocationBytes(10 * MIB).setFormat(DiskFormat.DISK_FORMAT_RAW).build())
                .getVolume();
        Path rawFile = images.resolve("d2.raw");
        assertEquals(10 * MIB, Files.size(rawFile));
        assertEquals(Map.of("format", "raw", "virtual-size", Long.toString(10 * MIB)), qemuImgInfo(rawFile));
        assertTrue(raw.getAllocationBytes() >= 10 * MIB, "allocated " + raw.getAllocationBytes());
        assertStatus(Status.Code.ALREADY_EXISTS, "VOLUME_EXISTS", () -> stub.createDisk(CreateDiskRequest.newBuilder()
                .setPool(name).setName("d2.raw").setCapacityBytes(MIB).setFormat(DiskFormat.DISK_FORMAT_RAW).build()));
        assertEquals(10 * MIB, Files.size(rawFile), "a refused creation leaves the existing disk alone");

        StorageVolume grown = stub.resizeVolume(ResizeVolumeRequest.newBuilder().setPool(name).setName("d1.qcow2")
                .setCapacityBytes(128 * MIB).build()).getVolume();
        assertEquals(128 * MIB, grown.getCapacityBytes());
        assertEquals(Long.toString(128 * MIB), qemuImgInfo(qcow2File).get("virtual-size"));
        assertStatus(Status.Code.FAILED_PRECONDITION, "VOLUME_SHRINK_REFUSED", () -> stub.resizeVolume(
                ResizeVolumeRequest.newBuilder().setPool(name).setName("d2.raw").setCapacityBytes(5 * MIB).build()));
        assertEquals(10 * MIB, Files.size(rawFile));
        // libvirt cannot shrink a volume below what it has allocated: said as the volume's state, not a bad request.
        StatusRuntimeException allocated = assertStatus(Status.Code.FAILED_PRECONDITION,
                "VOLUME_SHRINK_BELOW_ALLOCATION", () -> stub.resizeVolume(ResizeVolumeRequest.newBuilder()
                        .setPool(name).setName("d2.raw").setCapacityBytes(5 * MIB).setAllowShrink(true).build()));
        assertTrue(allocated.getStatus().getDescription().contains("d2.raw"), allocated.getStatus().getDescription());
        assertEquals(10 * MIB, Files.size(rawFile));
        stub.createDisk(CreateDiskRequest.newBuilder().setPool(name).setName("d3.raw").setCapacityBytes(10 * MIB)
                .setFormat(DiskFormat.DISK_FORMAT_RAW).build());
        assertEquals(5 * MIB, stub.resizeVolume(ResizeVolumeRequest.newBuilder().setPool(name).setName("d3.raw")
                .setCapacityBytes(5 * MIB).setAllowShrink(true).build()).getVolume().getCapacityBytes());
        assertEquals(5 * MIB, Files.size(images.resolve("d3.raw")));
        stub.deleteDisk(DeleteDiskRequest.newBuilder().setPool(name).setName("d3.raw").build());

        stub.deleteDisk(DeleteDiskRequest.newBuilder().setPool(name).setName("d1.qcow2").build());
        assertFalse(Files.exists(qcow2File));
        assertEquals(List.of("d2.raw"), Arrays.asList(real.listVolumes()));
        assertFalse(stub.deleteDisk(DeleteDiskRequest.newBuilder().setPool(name).setName("d1.qcow2").build())
                .getFound(), "idempotent: already gone");

        // Mistakes answered by the real pools, precisely.
        assertStatus(Status.Code.NOT_FOUND, "POOL_NOT_FOUND", () -> stub.deleteDisk(DeleteDiskRequest.newBuilder()
                .setPool(name + "-absent").setName("d2.raw").build()));
        assertStatus(Status.Code.NOT_FOUND, "VOLUME_NOT_FOUND", () -> stub.resizeVolume(ResizeVolumeRequest
                .newBuilder().setPool(name).setName("absent.raw").setCapacityBytes(MIB).build()));
        assertStatus(Status.Code.ALREADY_EXISTS, "POOL_EXISTS_WITH_OTHER_SOURCE", () -> stub.createStoragePool(
                dirPool(name, folder)));

        // Asking again for the same pool refreshes it: the disk made behind libvirt's back is listed.
        Files.write(images.resolve("outside.raw"), new byte[4096]);
        assertEquals(pool.getUuid(), stub.createStoragePool(dirPool(name, images)).getPool().getUuid());
        assertEquals(List.of("d2.raw", "outside.raw"), Arrays.stream(real.listVolumes()).sorted().toList());
    }

    @Test
    void resizingAVolumeARunningDomainUsesIsAPreconditionPointingAtResizeDomainDisk() throws Exception {
        String pool = "aimst-lv-" + run + "-inuse";
        poolsToRemove.add(pool);
        Path images = Files.createDirectory(folder.resolve("inuse"));
        // QEMU runs as its own user: the temporary folder (0700) must let it reach the image
        Files.setPosixFilePermissions(folder, java.nio.file.attribute.PosixFilePermissions.fromString("rwxr-xr-x"));
        stub.createStoragePool(dirPool(pool, images));
        String image = stub.createDisk(CreateDiskRequest.newBuilder().setPool(pool).setName("inuse.qcow2")
                .setCapacityBytes(16 * MIB).setFormat(DiskFormat.DISK_FORMAT_QCOW2).build()).getVolume().getPath();
        String domain = "aimst-lv-" + run + "-dom";
        String type = Files.exists(Path.of("/dev/kvm")) ? "kvm" : "qemu";
        stub.defineDomain(DefineDomainRequest.newBuilder().setXml("<domain type='" + type + "'><name>" + domain
                + "</name><memory unit='MiB'>64</memory><vcpu>1</vcpu><os><type arch='x86_64' machine='pc'>hvm"
                + "</type></os><devices><serial type='pty'/><disk type='file' device='disk'><driver name='qemu'"
                + " type='qcow2'/><source file='" + image + "'/><target dev='vda' bus='virtio'/></disk></devices>"
                + "</domain>").build());
        DomainRef ref = DomainRef.newBuilder().setName(domain).build();
        try {
            // Not in use: the volume grows.
            assertEquals(32 * MIB, stub.resizeVolume(ResizeVolumeRequest.newBuilder().setPool(pool)
                    .setName("inuse.qcow2").setCapacityBytes(32 * MIB).build()).getVolume().getCapacityBytes());
            stub.powerOnDomain(PowerOnDomainRequest.newBuilder().setDomain(ref).build());
            // In use: QEMU holds the image's lock and libvirt's qemu-img fails with an "internal error".
            StatusRuntimeException failure = assertStatus(Status.Code.FAILED_PRECONDITION, "VOLUME_IN_USE",
                    () -> stub.resizeVolume(ResizeVolumeRequest.newBuilder().setPool(pool).setName("inuse.qcow2")
                            .setCapacityBytes(48 * MIB).build()));
            assertEquals("1", errorInfo(failure).getMetadataOrThrow("libvirt_code"));
            assertTrue(failure.getStatus().getDescription().contains("ResizeDomainDisk"),
                    failure.getStatus().getDescription());
            // What the message points at works.
            assertEquals(48 * MIB, stub.resizeDomainDisk(ResizeDomainDiskRequest.newBuilder().setDomain(ref)
                    .setDisk("vda").setCapacityBytes(48 * MIB).build()).getBlock().getCapacityBytes());
        } finally {
            org.libvirt.Domain defined = libvirt.connect().domainLookupByName(domain);
            if (defined.isActive() == 1) {
                defined.destroy();
            }
            defined.undefine();
        }
    }

    @Test
    void aPoolNamedOutsideAimsRuleCanGetDisks() throws Exception {
        // Made with virsh or another tool: a name AIM would not give a new pool.
        String name = "aimst legacy+" + run;
        poolsToRemove.add(name);
        Path images = Files.createDirectory(folder.resolve("legacy"));
        org.libvirt.StoragePool legacy = libvirt.connect().storagePoolDefineXML("<pool type='dir'><name>" + name
                + "</name><target><path>" + images + "</path></target></pool>", 0);
        legacy.create(0);

        StorageVolume disk = stub.createDisk(CreateDiskRequest.newBuilder().setPool(name).setName("d1.raw")
                .setCapacityBytes(MIB).setFormat(DiskFormat.DISK_FORMAT_RAW).build()).getVolume();
        assertEquals(images.resolve("d1.raw").toString(), disk.getPath());
        assertEquals(MIB, Files.size(images.resolve("d1.raw")));
        stub.resizeVolume(ResizeVolumeRequest.newBuilder().setPool(name).setName("d1.raw").setCapacityBytes(2 * MIB)
                .build());
        assertEquals(2 * MIB, Files.size(images.resolve("d1.raw")));
        stub.deleteDisk(DeleteDiskRequest.newBuilder().setPool(name).setName("d1.raw").build());
        assertFalse(Files.exists(images.resolve("d1.raw")));
        // A new pool still follows AIM's rule.
        StatusRuntimeException refused = assertStatus(Status.Code.INVALID_ARGUMENT, "POOL_NAME_INVALID",
                () -> stub.createStoragePool(dirPool(name, images)));
        assertEquals("name", errorInfo(refused).getMetadataOrThrow("field"));
    }

    @Test
    void chapOnAnIscsiPoolIsAppliedOrRefusedNeverDropped() throws Exception {
        try (TgtTarget target = TgtTarget.create("lv")) {
            target.addLun(1, 8 * MIB);
            String name = "aimst-lv-" + target.tid();
            poolsToRemove.add(name);
            CreateStoragePoolRequest direct = CreateStoragePoolRequest.newBuilder().setName(name)
                    .setType(StoragePoolType.STORAGE_POOL_TYPE_ISCSI_DIRECT).setSourceHost("127.0.0.1")
                    .setSourceTarget(target.iqn()).setInitiatorIqn(TgtTarget.IQN_PREFIX + "initiator-" + run).build();

            StatusRuntimeException halfChap = assertStatus(Status.Code.INVALID_ARGUMENT, "CHAP_USERNAME_REQUIRED",
                    () -> stub.createStoragePool(direct.toBuilder().setChapSecret("pw").build()));
            assertEquals("chap_username", errorInfo(halfChap).getMetadataOrThrow("field"));
            assertFalse(Arrays.asList(libvirt.connect().listDefinedStoragePools()).contains(name));

            StoragePool pool = stub.createStoragePool(direct).getPool();
            assertTrue(pool.getActive());
            assertEquals(target.iqn(), pool.getSource());
            StatusRuntimeException conflict = assertStatus(Status.Code.FAILED_PRECONDITION, "POOL_AUTH_CONFLICT",
                    () -> stub.createStoragePool(direct.toBuilder().setChapUsername("user").setChapSecret("pw").build()));
            assertTrue(conflict.getStatus().getDescription().contains("no CHAP authentication but CHAP user user"),
                    conflict.getStatus().getDescription());
            assertFalse(libvirt.connect().storagePoolLookupByName(name).getXMLDesc(0).contains("<auth"),
                    "the existing pool is left as it was");
        }
    }

    /** qemu-img's own view of an image: its format and virtual size. */
    private static Map<String, String> qemuImgInfo(Path image) throws IOException, InterruptedException {
        Process process = new ProcessBuilder("qemu-img", "info", "-U", "--output=json", image.toString())
                .redirectErrorStream(true).start();
        String json = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertEquals(0, process.waitFor(), json);
        Matcher format = Pattern.compile("\"format\":\\s*\"([^\"]+)\"").matcher(json);
        Matcher size = Pattern.compile("\"virtual-size\":\\s*(\\d+)").matcher(json);
        assertTrue(format.find() && size.find(), json);
        return Map.of("format", format.group(1), "virtual-size", size.group(1));
    }
}
