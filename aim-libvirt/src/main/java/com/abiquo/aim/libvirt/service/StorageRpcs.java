package com.abiquo.aim.libvirt.service;

import static java.util.Objects.requireNonNull;

import com.abiquo.aim.core.error.AimException;
import com.abiquo.aim.core.spi.StoragePoolOperations;
import com.abiquo.aim.libvirt.LibvirtErrorReason;
import com.abiquo.aim.libvirt.connection.LibvirtErrors;
import com.abiquo.aim.v1.CreateDiskRequest;
import com.abiquo.aim.v1.CreateDiskResponse;
import com.abiquo.aim.v1.CreateStoragePoolRequest;
import com.abiquo.aim.v1.CreateStoragePoolResponse;
import com.abiquo.aim.v1.DeleteDiskRequest;
import com.abiquo.aim.v1.DeleteDiskResponse;
import com.abiquo.aim.v1.DeleteStoragePoolRequest;
import com.abiquo.aim.v1.DeleteStoragePoolResponse;
import com.abiquo.aim.v1.GetStoragePoolRequest;
import com.abiquo.aim.v1.GetStoragePoolResponse;
import com.abiquo.aim.v1.ListStoragePoolsResponse;
import com.abiquo.aim.v1.ListStorageVolumesRequest;
import com.abiquo.aim.v1.ListStorageVolumesResponse;
import com.abiquo.aim.v1.ResizeVolumeRequest;
import com.abiquo.aim.v1.ResizeVolumeResponse;
import io.grpc.Status;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Supplier;

/**
 * The Libvirt service's pool and disk RPCs: validated here ({@link StorageRequests}), done by the node's
 * {@link StoragePoolOperations} (this module's pools; a supplier so that tests can serve the RPCs without them:
 * UNAVAILABLE STORAGE_NOT_AVAILABLE).
 */
final class StorageRpcs {
    private final Supplier<Optional<StoragePoolOperations>> storage;

    StorageRpcs(Supplier<Optional<StoragePoolOperations>> storage) {
        this.storage = requireNonNull(storage, "storage is null");
    }

    CreateStoragePoolResponse createStoragePool(CreateStoragePoolRequest request) throws AimException {
        StoragePoolOperations.PoolSpec spec = StorageRequests.poolSpec(request);
        return CreateStoragePoolResponse.newBuilder()
                .setPool(StorageRequests.toProto(storage().createOrRefreshPool(spec))).build();
    }

    GetStoragePoolResponse getStoragePool(GetStoragePoolRequest request) throws AimException {
        StorageRequests.checkPoolName(request.getName(), "name");
        return GetStoragePoolResponse.newBuilder()
                .setPool(StorageRequests.toProto(storage().getPool(request.getName()))).build();
    }

    ListStoragePoolsResponse listStoragePools() throws AimException {
        ListStoragePoolsResponse.Builder response = ListStoragePoolsResponse.newBuilder();
        for (StoragePoolOperations.PoolInfo pool : storage().listPools()) {
            response.addPools(StorageRequests.toProto(pool));
        }
        return response.build();
    }

    DeleteStoragePoolResponse deleteStoragePool(DeleteStoragePoolRequest request) throws AimException {
        StorageRequests.checkPoolName(request.getName(), "name");
        StoragePoolOperations.PoolDeletion deletion = storage().deletePool(request.getName());
        return DeleteStoragePoolResponse.newBuilder().setFound(deletion.found()).setStopped(deletion.stopped())
                .build();
    }

    ListStorageVolumesResponse listStorageVolumes(ListStorageVolumesRequest request) throws AimException {
        StorageRequests.checkPoolName(request.getPool());
        List<StoragePoolOperations.VolumeInfo> volumes = request.getRefresh()
                ? storage().refreshAndListVolumes(request.getPool()) : storage().listVolumes(request.getPool());
        ListStorageVolumesResponse.Builder response = ListStorageVolumesResponse.newBuilder();
        for (StoragePoolOperations.VolumeInfo volume : volumes) {
            response.addVolumes(StorageRequests.toProto(volume));
        }
        return response.build();
    }

    CreateDiskResponse createDisk(CreateDiskRequest request) throws AimException {
        StorageRequests.checkPoolName(request.getPool());
        StorageRequests.checkVolumeName(request.getName());
        long capacity = StorageRequests.bytes(request.getCapacityBytes(), "capacity_bytes", false);
        long allocation = StorageRequests.bytes(request.getAllocationBytes(), "allocation_bytes", true);
        if (allocation > capacity) {
            throw AimException.invalidArgument(LibvirtErrorReason.ALLOCATION_OVER_CAPACITY,
                    "allocation_bytes " + allocation
                    + " is more than capacity_bytes " + capacity);
        }
        String format = StorageRequests.format(request.getFormat());
        return CreateDiskResponse.newBuilder().setVolume(StorageRequests.toProto(
                storage().createVolume(request.getPool(), request.getName(), capacity, allocation, format)))
                .build();
    }

    DeleteDiskResponse deleteDisk(DeleteDiskRequest request) throws AimException {
        StorageRequests.checkPoolName(request.getPool());
        StorageRequests.checkVolumeName(request.getName());
        return DeleteDiskResponse.newBuilder()
                .setFound(storage().deleteVolume(request.getPool(), request.getName())).build();
    }

    ResizeVolumeResponse resizeVolume(ResizeVolumeRequest request) throws AimException {
        StorageRequests.checkPoolName(request.getPool());
        StorageRequests.checkVolumeName(request.getName());
        long capacity = StorageRequests.bytes(request.getCapacityBytes(), "capacity_bytes", false);
        StoragePoolOperations.VolumeInfo volume;
        try {
            volume = storage().resizeVolume(request.getPool(), request.getName(), capacity,
                    request.getAllowShrink());
        } catch (AimException failure) {
            throw volumeInUse(failure, request.getPool(), request.getName());
        }
        return ResizeVolumeResponse.newBuilder().setVolume(StorageRequests.toProto(volume)).build();
    }

    /**
     * libvirt resizes a file volume with qemu-img, which cannot take the image's write lock while a running domain
     * (QEMU) holds it ({@link LibvirtErrors#imageWriteLockHeld}). The request is fine; the volume's state is not:
     * FAILED_PRECONDITION, pointing at ResizeDomainDisk.
     */
    static AimException volumeInUse(AimException failure, String pool, String name) {
        if (!LibvirtErrors.imageWriteLockHeld(failure)) {
            return failure;
        }
        String libvirtMessage = failure.metadata().getOrDefault("libvirt_message", "");
        Map<String, String> metadata = new java.util.LinkedHashMap<>(failure.metadata());
        metadata.put("pool", pool);
        metadata.put("volume", name);
        return new AimException(Status.Code.FAILED_PRECONDITION, LibvirtErrorReason.VOLUME_IN_USE,
                "volume " + name + " of storage pool "
                + pool + " is in use (a running domain holds its image, so qemu-img cannot take its write lock): "
                + "grow the disk of a running domain with ResizeDomainDisk, or resize the volume while no running "
                + "domain uses it; libvirt said: " + libvirtMessage.strip(), metadata, failure);
    }

    private StoragePoolOperations storage() throws AimException {
        return storage.get().orElseThrow(() -> AimException.unavailable(LibvirtErrorReason.STORAGE_NOT_AVAILABLE,
                "storage pools and disks are handled by the node's storage module, which is not loaded in this "
                        + "agent (no StoragePoolOperations published)"));
    }
}
