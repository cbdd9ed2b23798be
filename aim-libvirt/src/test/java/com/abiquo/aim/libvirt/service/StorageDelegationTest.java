package com.abiquo.aim.libvirt.service;

import static com.abiquo.aim.libvirt.service.LibvirtGrpcServiceTest.assertCode;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.abiquo.aim.core.spi.StoragePoolOperations;
import com.abiquo.aim.v1.CreateDiskRequest;
import com.abiquo.aim.v1.CreateStoragePoolRequest;
import com.abiquo.aim.v1.DeleteDiskRequest;
import com.abiquo.aim.v1.DeleteStoragePoolRequest;
import com.abiquo.aim.v1.DeleteStoragePoolResponse;
import com.abiquo.aim.v1.GetStoragePoolRequest;
import com.abiquo.aim.v1.ListStoragePoolsRequest;
import com.abiquo.aim.v1.ListStorageVolumesRequest;
import com.abiquo.aim.v1.DiskFormat;
import com.abiquo.aim.v1.ResizeVolumeRequest;
import com.abiquo.aim.v1.StoragePool;
import com.abiquo.aim.v1.StoragePoolType;
import com.abiquo.aim.v1.StorageVolume;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * What the Libvirt service itself does with pool and disk requests: checks them, turns them into
 * {@link StoragePoolOperations} calls and the answers into responses; UNAVAILABLE without pools. A hand-written
 * recorder stands in for the pools and answers what libvirt would report, never values copied back from the request.
 * The RPCs against the real pools on a real dir pool and a real iSCSI target are tested with the modules as the
 * agent loads them: aim-storage's LibvirtServicePoolsSystemTest.
 */
class StorageDelegationTest {
    private LibvirtServiceFixture fixture;
    private final Recorder storage = new Recorder();

    @BeforeEach
    void start() throws Exception {
        fixture = new LibvirtServiceFixture("test:///default");
    }

    @AfterEach
    void stop() throws Exception {
        fixture.close();
    }

    @Test
    void withoutAStorageModuleThePoolRpcsAreUnavailable() throws Exception {
        assertCode(Status.Code.UNAVAILABLE, "STORAGE_NOT_AVAILABLE", () -> fixture.stub.createStoragePool(
                CreateStoragePoolRequest.newBuilder().setName("aimtest-pool").setType(StoragePoolType.STORAGE_POOL_TYPE_DIR)
                        .setTargetPath("/tmp/aimtest-pool").build()));
    }

    @Test
    void requestsBecomeStorageCallsAndTheModulesAnswersBecomeResponses() throws Exception {
        fixture.storage.set(storage);
        StoragePool pool = fixture.stub.createStoragePool(CreateStoragePoolRequest.newBuilder().setName("aimtest-san")
                .setType(StoragePoolType.STORAGE_POOL_TYPE_ISCSI).setSourceHost("10.0.0.5").setSourcePort(3261)
                .setSourceTarget("iqn.2026-11.test:t").setInitiatorIqn("iqn.2026-11.test:i").build()).getPool();
        assertEquals(new StoragePoolOperations.PoolSpec("aimtest-san", StoragePoolOperations.PoolType.ISCSI, "",
                "10.0.0.5", 3261, "", "iqn.2026-11.test:t", "iqn.2026-11.test:i", Optional.empty()), storage.lastSpec);
        // Every field of the response is the module's answer (what libvirt reported), not the request's.
        assertEquals(StoragePool.newBuilder().setName("aimtest-san").setUuid(Recorder.POOL_UUID)
                .setType(StoragePoolType.STORAGE_POOL_TYPE_ISCSI).setActive(true).setCapacityBytes(107_374_182_400L)
                .setAllocationBytes(107_374_182_400L).setAvailableBytes(0).setTargetPath("/dev/disk/by-path")
                .setSourceHost("10.0.0.5").setSource("iqn.2026-11.test:t").build(), pool);

        StorageVolume volume = fixture.stub.createDisk(CreateDiskRequest.newBuilder().setPool("aimtest-dir")
                .setName("d1.qcow2").setCapacityBytes(1_000_000).setAllocationBytes(0)
                .setFormat(DiskFormat.DISK_FORMAT_QCOW2).build()).getVolume();
        assertEquals(StorageVolume.newBuilder().setPool("aimtest-dir").setName("d1.qcow2")
                .setKey("/var/lib/aimtest/d1.qcow2").setPath("/var/lib/aimtest/d1.qcow2").setFormat("qcow2")
                .setCapacityBytes(1_048_576).setAllocationBytes(196_624).build(), volume);
        fixture.stub.resizeVolume(ResizeVolumeRequest.newBuilder().setPool("aimtest-dir").setName("d1.qcow2")
                .setCapacityBytes(2L << 30).setAllowShrink(true).build());
        fixture.stub.deleteDisk(DeleteDiskRequest.newBuilder().setPool("aimtest-dir").setName("d1.qcow2").build());
        assertEquals(List.of("pool aimtest-san ISCSI 10.0.0.5: -> ", "create aimtest-dir/d1.qcow2 1000000 0 qcow2",
                "resize aimtest-dir/d1.qcow2 2147483648 true", "delete aimtest-dir/d1.qcow2"), storage.calls);
    }

    @Test
    void poolLifecycleRpcsReachTheStorageModuleAndSayWhatWasFound() throws Exception {
        fixture.storage.set(storage);
        assertEquals(StoragePool.newBuilder().setName("aimtest-dir").setUuid(Recorder.POOL_UUID)
                .setType(StoragePoolType.STORAGE_POOL_TYPE_DIR).setTargetPath("/var/lib/aimtest").build(),
                fixture.stub.getStoragePool(GetStoragePoolRequest.newBuilder().setName("aimtest-dir").build())
                        .getPool());
        assertEquals(0, fixture.stub.listStoragePools(ListStoragePoolsRequest.getDefaultInstance()).getPoolsCount());
        assertEquals(List.of("a.qcow2"), fixture.stub.listStorageVolumes(ListStorageVolumesRequest.newBuilder()
                .setPool("aimtest-dir").build()).getVolumesList().stream().map(StorageVolume::getName).toList());
        fixture.stub.listStorageVolumes(ListStorageVolumesRequest.newBuilder().setPool("aimtest-dir").setRefresh(true)
                .build());
        DeleteStoragePoolResponse stopped = fixture.stub.deleteStoragePool(DeleteStoragePoolRequest.newBuilder()
                .setName("aimtest-active").build());
        assertTrue(stopped.getFound() && stopped.getStopped());
        DeleteStoragePoolResponse gone = fixture.stub.deleteStoragePool(DeleteStoragePoolRequest.newBuilder()
                .setName("aimtest-gone").build());
        assertTrue(!gone.getFound() && !gone.getStopped());
        assertTrue(fixture.stub.deleteDisk(DeleteDiskRequest.newBuilder().setPool("p").setName("d").build())
                .getFound());
        assertTrue(!fixture.stub.deleteDisk(DeleteDiskRequest.newBuilder().setPool("p").setName("d-gone").build())
                .getFound());
        assertEquals(List.of("get aimtest-dir", "volumes aimtest-dir", "refresh+volumes aimtest-dir",
                "delete pool aimtest-active", "delete pool aimtest-gone", "delete p/d", "delete p/d-gone"),
                storage.calls);

        // A bad name never reaches the module; the field is named as the request spells it.
        for (String bad : List.of("", "a/b", "x\u0001", "n".repeat(256))) {
            StatusRuntimeException failure = assertThrows(StatusRuntimeException.class, () ->
                    fixture.stub.deleteStoragePool(DeleteStoragePoolRequest.newBuilder().setName(bad).build()));
            assertEquals(Status.Code.INVALID_ARGUMENT, failure.getStatus().getCode());
            assertEquals("name", LibvirtServiceFixture.errorInfo(failure).getMetadataOrThrow("field"));
            failure = assertThrows(StatusRuntimeException.class, () -> fixture.stub.getStoragePool(
                    GetStoragePoolRequest.newBuilder().setName(bad).build()));
            assertEquals(Status.Code.INVALID_ARGUMENT, failure.getStatus().getCode());
            failure = assertThrows(StatusRuntimeException.class, () -> fixture.stub.listStorageVolumes(
                    ListStorageVolumesRequest.newBuilder().setPool(bad).build()));
            assertEquals("pool", LibvirtServiceFixture.errorInfo(failure).getMetadataOrThrow("field"));
        }
        assertEquals(7, storage.calls.size());
    }

    @Test
    void withoutAStorageModuleTheNewPoolRpcsAreUnavailableToo() throws Exception {
        assertCode(Status.Code.UNAVAILABLE, "STORAGE_NOT_AVAILABLE", () -> fixture.stub.listStoragePools(
                ListStoragePoolsRequest.getDefaultInstance()));
        assertCode(Status.Code.UNAVAILABLE, "STORAGE_NOT_AVAILABLE", () -> fixture.stub.deleteStoragePool(
                DeleteStoragePoolRequest.newBuilder().setName("p").build()));
    }

    @Test
    void badPoolAndDiskRequestsNeverReachTheStorageModule() throws Exception {
        fixture.storage.set(storage);
        assertCode(Status.Code.INVALID_ARGUMENT, "POOL_TYPE_INVALID", () -> fixture.stub.createStoragePool(
                CreateStoragePoolRequest.newBuilder().setName("aimtest-pool").setTargetPath("/tmp/x").build()));
        assertCode(Status.Code.INVALID_ARGUMENT, "POOL_TYPE_INVALID", () -> fixture.stub.createStoragePool(
                CreateStoragePoolRequest.newBuilder().setName("aimtest-pool").setTypeValue(42).build()));
        assertCode(Status.Code.INVALID_ARGUMENT, "FIELD_REQUIRED", () -> fixture.stub.createStoragePool(
                CreateStoragePoolRequest.newBuilder().setName("aimtest-pool")
                        .setType(StoragePoolType.STORAGE_POOL_TYPE_ISCSI_DIRECT).setSourceHost("127.0.0.1")
                        .setSourceTarget("iqn.2026-11.test:x").build()));
        assertCode(Status.Code.INVALID_ARGUMENT, "POOL_NAME_INVALID", () -> fixture.stub.createStoragePool(
                CreateStoragePoolRequest.newBuilder().setName("../etc").setType(StoragePoolType.STORAGE_POOL_TYPE_DIR)
                        .setTargetPath("/tmp/x").build()));
        assertCode(Status.Code.INVALID_ARGUMENT, "SIZE_INVALID", () -> fixture.stub.createDisk(
                CreateDiskRequest.newBuilder().setPool("p").setName("d").setFormat(DiskFormat.DISK_FORMAT_RAW).build()));
        assertCode(Status.Code.INVALID_ARGUMENT, "ALLOCATION_OVER_CAPACITY", () -> fixture.stub.createDisk(
                CreateDiskRequest.newBuilder().setPool("p").setName("d").setCapacityBytes(10).setAllocationBytes(11)
                        .setFormat(DiskFormat.DISK_FORMAT_RAW).build()));
        assertCode(Status.Code.INVALID_ARGUMENT, "DISK_FORMAT_INVALID", () -> fixture.stub.createDisk(
                CreateDiskRequest.newBuilder().setPool("p").setName("d").setCapacityBytes(10).build()));
        assertCode(Status.Code.INVALID_ARGUMENT, "VOLUME_NAME_INVALID", () -> fixture.stub.deleteDisk(
                DeleteDiskRequest.newBuilder().setPool("p").setName("a/b").build()));
        assertCode(Status.Code.INVALID_ARGUMENT, "SIZE_INVALID", () -> fixture.stub.resizeVolume(
                ResizeVolumeRequest.newBuilder().setPool("p").setName("d").setCapacityBytes(-5L).build()));
        assertEquals(List.of(), storage.calls);
    }

    @Test
    void chapCredentialsAreNeverDropped() throws Exception {
        fixture.storage.set(storage);
        CreateStoragePoolRequest.Builder direct = CreateStoragePoolRequest.newBuilder().setName("aimtest-san")
                .setType(StoragePoolType.STORAGE_POOL_TYPE_ISCSI_DIRECT).setSourceHost("127.0.0.1")
                .setSourceTarget("iqn.2026-11.test:t").setInitiatorIqn("iqn.2026-11.test:i");
        assertField("CHAP_USERNAME_REQUIRED", "chap_username", direct.clone().setChapSecret("pw"));
        assertField("CHAP_SECRET_REQUIRED", "chap_secret", direct.clone().setChapUsername("user"));
        assertField("CHAP_NOT_APPLICABLE", "chap_username", CreateStoragePoolRequest.newBuilder().setName("aimtest-d")
                .setType(StoragePoolType.STORAGE_POOL_TYPE_DIR).setTargetPath("/tmp/aimtest-d")
                .setChapUsername("user").setChapSecret("pw"));
        assertEquals(List.of(), storage.calls);

        fixture.stub.createStoragePool(direct.clone().setChapUsername("user").setChapSecret("pw").build());
        assertEquals(List.of("pool aimtest-san ISCSI_DIRECT 127.0.0.1: -> "), storage.calls);
        assertEquals(Optional.of(new StoragePoolOperations.Chap("user", "pw")), storage.lastSpec.chap());
        fixture.stub.createStoragePool(direct.build());
        assertEquals(Optional.empty(), storage.lastSpec.chap());
    }

    private void assertField(String reason, String field, CreateStoragePoolRequest.Builder request) throws Exception {
        StatusRuntimeException failure = assertThrows(StatusRuntimeException.class,
                () -> fixture.stub.createStoragePool(request.build()));
        assertEquals(Status.Code.INVALID_ARGUMENT, failure.getStatus().getCode());
        assertEquals(reason, LibvirtServiceFixture.errorInfo(failure).getReason());
        assertEquals(field, LibvirtServiceFixture.errorInfo(failure).getMetadataOrThrow("field"));
        assertTrue(failure.getStatus().getDescription().contains(field), failure.getStatus().getDescription());
    }

    @Test
    void poolsNamedOutsideTheCreationRuleCanStillBeUsed() throws Exception {
        // libvirt may hold pools made by others (virsh, another tool) with names AIM would not give a new pool.
        fixture.storage.set(storage);
        String legacy = "Legacy pool+1 (virsh)";
        fixture.stub.createDisk(CreateDiskRequest.newBuilder().setPool(legacy).setName("d1.raw")
                .setCapacityBytes(1 << 20).setFormat(DiskFormat.DISK_FORMAT_RAW).build());
        fixture.stub.resizeVolume(ResizeVolumeRequest.newBuilder().setPool(legacy).setName("d1.raw")
                .setCapacityBytes(2 << 20).build());
        fixture.stub.deleteDisk(DeleteDiskRequest.newBuilder().setPool(legacy).setName("d1.raw").build());
        assertEquals(List.of("create " + legacy + "/d1.raw 1048576 0 raw", "resize " + legacy + "/d1.raw 2097152 false",
                "delete " + legacy + "/d1.raw"), storage.calls);

        // What is unsafe is still refused, naming the field; a new pool still gets AIM's strict rule.
        for (String unsafe : new String[] {"a/b", "tab\there", "x".repeat(256)}) {
            StatusRuntimeException failure = assertThrows(StatusRuntimeException.class, () -> fixture.stub.deleteDisk(
                    DeleteDiskRequest.newBuilder().setPool(unsafe).setName("d1.raw").build()));
            assertEquals(Status.Code.INVALID_ARGUMENT, failure.getStatus().getCode());
            assertEquals("pool", LibvirtServiceFixture.errorInfo(failure).getMetadataOrThrow("field"));
        }
        StatusRuntimeException strict = assertThrows(StatusRuntimeException.class, () -> fixture.stub
                .createStoragePool(CreateStoragePoolRequest.newBuilder().setName(legacy)
                        .setType(StoragePoolType.STORAGE_POOL_TYPE_DIR).setTargetPath("/tmp/aimtest-legacy").build()));
        assertEquals(Status.Code.INVALID_ARGUMENT, strict.getStatus().getCode());
        assertEquals("name", LibvirtServiceFixture.errorInfo(strict).getMetadataOrThrow("field"));
        assertEquals(3, storage.calls.size());
    }

    @Test
    void aVolumeARunningDomainHoldsIsAPreconditionNotAnInternalError() throws Exception {
        // What the storage module throws when libvirt's qemu-img cannot lock the image of a running domain (the
        // libvirt part as LibvirtErrors maps it; measured on qemu:///system in LibvirtServiceSystemTest).
        String locked = "internal error: Child process (/usr/bin/qemu-img resize /p/d1.qcow2 2147483648) unexpected "
                + "exit status 1: qemu-img: Could not open '/p/d1.qcow2': Failed to get \"write\" lock\n"
                + "Is another process using the image [/p/d1.qcow2]?\n";
        storage.failure = com.abiquo.aim.libvirt.connection.LibvirtErrors.toAimException(
                new com.abiquo.aim.libvirt.connection.LibvirtErrors.LibvirtError(1, 18, locked),
                "resizing volume d1.qcow2 of storage pool aimtest-dir", true, null);
        fixture.storage.set(storage);
        StatusRuntimeException failure = assertThrows(StatusRuntimeException.class, () -> fixture.stub.resizeVolume(
                ResizeVolumeRequest.newBuilder().setPool("aimtest-dir").setName("d1.qcow2").setCapacityBytes(2L << 30)
                        .build()));
        assertEquals(Status.Code.FAILED_PRECONDITION, failure.getStatus().getCode());
        var info = LibvirtServiceFixture.errorInfo(failure);
        assertEquals("VOLUME_IN_USE", info.getReason());
        assertEquals("aimtest-dir", info.getMetadataOrThrow("pool"));
        assertEquals("d1.qcow2", info.getMetadataOrThrow("volume"));
        assertEquals("1", info.getMetadataOrThrow("libvirt_code"));
        assertTrue(failure.getStatus().getDescription().contains("ResizeDomainDisk"),
                failure.getStatus().getDescription());

        // Any other internal error stays one.
        storage.failure = com.abiquo.aim.libvirt.connection.LibvirtErrors.toAimException(
                new com.abiquo.aim.libvirt.connection.LibvirtErrors.LibvirtError(1, 18, "internal error: other"),
                "resizing volume d1.qcow2 of storage pool aimtest-dir", true, null);
        assertCode(Status.Code.INTERNAL, "LIBVIRT_INTERNAL_ERROR", () -> fixture.stub.resizeVolume(
                ResizeVolumeRequest.newBuilder().setPool("aimtest-dir").setName("d1.qcow2").setCapacityBytes(2L << 30)
                        .build()));
    }

    /** Records the calls it receives; answers like a storage module would. */
    private static final class Recorder implements StoragePoolOperations {
        static final String POOL_UUID = "0b6b3f0e-0000-4000-8000-000000000001";
        final List<String> calls = new ArrayList<>();
        PoolSpec lastSpec;
        com.abiquo.aim.core.error.AimException failure;

        @Override
        public PoolOutcome createOrRefresh(PoolSpec spec) {
            lastSpec = spec;
            calls.add("pool " + spec.name() + " " + spec.type() + " " + spec.sourceHost() + ":" + spec.sourceDir()
                    + " -> " + spec.targetPath());
            // As libvirt reports a started iSCSI pool: the target's size, fully allocated, its default target path.
            return new PoolOutcome(new PoolInfo(spec.name(), POOL_UUID, spec.type(), true, 107_374_182_400L,
                    107_374_182_400L, 0, "/dev/disk/by-path", spec.sourceHost(), spec.sourceTarget()), true);
        }

        @Override
        public List<String> iscsiPoolsOf(String targetIqn) {
            throw new UnsupportedOperationException();
        }

        @Override
        public List<VolumeInfo> probeIscsiVolumes(com.abiquo.aim.core.iscsi.Portal portal, String targetIqn,
                                                  String initiatorIqn, Optional<Chap> chap) {
            throw new UnsupportedOperationException();
        }

        @Override
        public List<PoolInfo> listPools() {
            return List.of();
        }

        @Override
        public PoolInfo refreshPool(String name) {
            throw new UnsupportedOperationException();
        }

        @Override
        public PoolInfo getPool(String name) {
            calls.add("get " + name);
            return new PoolInfo(name, POOL_UUID, PoolType.DIR, false, 0, 0, 0, "/var/lib/aimtest", "", "");
        }

        @Override
        public PoolDeletion deletePool(String name) {
            calls.add("delete pool " + name);
            return new PoolDeletion(!name.endsWith("-gone"), name.endsWith("-active"));
        }

        @Override
        public List<VolumeInfo> listVolumes(String pool) {
            calls.add("volumes " + pool);
            return List.of(new VolumeInfo(pool, "a.qcow2", "/p/a.qcow2", "/p/a.qcow2", "qcow2", 1024, 512));
        }

        @Override
        public List<VolumeInfo> refreshAndListVolumes(String pool) {
            calls.add("refresh+volumes " + pool);
            return List.of();
        }

        @Override
        public VolumeInfo createVolume(String pool, String name, long capacityBytes, long allocationBytes,
                                       String format) {
            calls.add("create " + pool + "/" + name + " " + capacityBytes + " " + allocationBytes + " " + format);
            // As libvirt reports a new qcow2 image: capacity rounded up to whole clusters, the metadata allocated.
            return new VolumeInfo(pool, name, "/var/lib/aimtest/" + name, "/var/lib/aimtest/" + name, format,
                    1_048_576, 196_624);
        }

        @Override
        public boolean deleteVolume(String pool, String name) {
            calls.add("delete " + pool + "/" + name);
            return !name.endsWith("-gone");
        }

        @Override
        public VolumeInfo resizeVolume(String pool, String name, long capacityBytes, boolean allowShrink)
                throws com.abiquo.aim.core.error.AimException {
            if (failure != null) {
                throw failure;
            }
            calls.add("resize " + pool + "/" + name + " " + capacityBytes + " " + allowShrink);
            return new VolumeInfo(pool, name, "/p/" + name, "/p/" + name, "qcow2", capacityBytes, 0);
        }
    }
}
