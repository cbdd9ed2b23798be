package com.abiquo.aim.libvirt.service;

import com.abiquo.aim.core.error.AimException;
import com.abiquo.aim.core.spi.StoragePoolOperations;
import com.abiquo.aim.core.spi.StoragePoolOperations.PoolType;
import com.abiquo.aim.v1.CreateStoragePoolRequest;
import com.abiquo.aim.v1.DiskFormat;
import com.abiquo.aim.v1.StoragePool;
import com.abiquo.aim.v1.StoragePoolType;
import com.abiquo.aim.v1.StorageVolume;
import java.util.Optional;
import java.util.regex.Pattern;

/** Validation and mapping of the Libvirt service's pool and disk requests (the work is aim-storage's). */
final class StorageRequests {
    private static final Pattern POOL_NAME = Pattern.compile("[A-Za-z0-9_][A-Za-z0-9_.-]{0,63}");
    private static final int MAX_VOLUME_NAME = 255;

    private StorageRequests() {
    }

    static StoragePoolOperations.PoolSpec poolSpec(CreateStoragePoolRequest request) throws AimException {
        checkPoolName(request.getName());
        PoolType type = switch (request.getType()) {
            case STORAGE_POOL_TYPE_DIR -> PoolType.DIR;
            case STORAGE_POOL_TYPE_NETFS -> PoolType.NETFS;
            case STORAGE_POOL_TYPE_ISCSI -> PoolType.ISCSI;
            case STORAGE_POOL_TYPE_ISCSI_DIRECT -> PoolType.ISCSI_DIRECT;
            default -> throw AimException.invalidArgument("POOL_TYPE_INVALID", "type must be one of "
                    + "STORAGE_POOL_TYPE_DIR, _NETFS, _ISCSI, _ISCSI_DIRECT (got " + request.getTypeValue() + ")");
        };
        switch (type) {
            case DIR -> require(request.getTargetPath(), "target_path", type);
            case NETFS -> {
                require(request.getTargetPath(), "target_path", type);
                require(request.getSourceHost(), "source_host", type);
                require(request.getSourceDir(), "source_dir", type);
            }
            case ISCSI -> {
                require(request.getSourceHost(), "source_host", type);
                require(request.getSourceTarget(), "source_target", type);
            }
            case ISCSI_DIRECT -> {
                require(request.getSourceHost(), "source_host", type);
                require(request.getSourceTarget(), "source_target", type);
                require(request.getInitiatorIqn(), "initiator_iqn", type);
            }
        }
        if (request.getSourcePort() > 65535) {
            throw AimException.invalidArgument("PORT_INVALID", "source_port " + request.getSourcePort()
                    + " is out of range 0-65535");
        }
        Optional<StoragePoolOperations.Chap> chap = Optional.empty();
        if (!request.getChapUsername().isEmpty()) {
            require(request.getChapSecret(), "chap_secret (with chap_username)", type);
            chap = Optional.of(new StoragePoolOperations.Chap(request.getChapUsername(), request.getChapSecret()));
        }
        return new StoragePoolOperations.PoolSpec(request.getName(), type, request.getTargetPath(),
                request.getSourceHost(), request.getSourcePort(), request.getSourceDir(), request.getSourceTarget(),
                request.getInitiatorIqn(), chap);
    }

    private static void require(String value, String field, PoolType type) throws AimException {
        if (value == null || value.isBlank()) {
            throw AimException.invalidArgument("FIELD_REQUIRED", field + " is required for "
                    + type.name().toLowerCase(java.util.Locale.ROOT).replace('_', '-') + " pools");
        }
    }

    static void checkPoolName(String name) throws AimException {
        if (name == null || name.isEmpty()) {
            throw AimException.invalidArgument("POOL_NAME_EMPTY", "pool name is empty");
        }
        if (!POOL_NAME.matcher(name).matches()) {
            throw AimException.invalidArgument("POOL_NAME_INVALID", "pool name \"" + shorten(name)
                    + "\" must be 1 to 64 characters of [A-Za-z0-9_.-], not starting with '.' or '-'");
        }
    }

    static void checkVolumeName(String name) throws AimException {
        if (name == null || name.isEmpty()) {
            throw AimException.invalidArgument("VOLUME_NAME_EMPTY", "volume name is empty");
        }
        if (name.length() > MAX_VOLUME_NAME || name.contains("/") || name.equals(".") || name.equals("..")
                || name.chars().anyMatch(Character::isISOControl)) {
            throw AimException.invalidArgument("VOLUME_NAME_INVALID", "volume name \"" + shorten(name)
                    + "\" must be 1 to " + MAX_VOLUME_NAME + " characters without '/' or control characters");
        }
    }

    /** A uint64 byte count from a request, as a Java long. */
    static long bytes(long value, String field, boolean zeroAllowed) throws AimException {
        if (value < 0) {
            throw AimException.invalidArgument("SIZE_INVALID", field + " " + Long.toUnsignedString(value)
                    + " is too large (at most " + Long.MAX_VALUE + ")");
        }
        if (value == 0 && !zeroAllowed) {
            throw AimException.invalidArgument("SIZE_INVALID", field + " must be more than 0");
        }
        return value;
    }

    static String format(DiskFormat format) throws AimException {
        return switch (format) {
            case DISK_FORMAT_RAW -> "raw";
            case DISK_FORMAT_QCOW2 -> "qcow2";
            default -> throw AimException.invalidArgument("DISK_FORMAT_INVALID",
                    "format must be DISK_FORMAT_RAW or DISK_FORMAT_QCOW2");
        };
    }

    static StoragePool toProto(StoragePoolOperations.PoolInfo pool) {
        return StoragePool.newBuilder()
                .setName(pool.name())
                .setUuid(nullToEmpty(pool.uuid()))
                .setType(switch (pool.type()) {
                    case DIR -> StoragePoolType.STORAGE_POOL_TYPE_DIR;
                    case NETFS -> StoragePoolType.STORAGE_POOL_TYPE_NETFS;
                    case ISCSI -> StoragePoolType.STORAGE_POOL_TYPE_ISCSI;
                    case ISCSI_DIRECT -> StoragePoolType.STORAGE_POOL_TYPE_ISCSI_DIRECT;
                })
                .setActive(pool.active())
                .setCapacityBytes(pool.capacityBytes())
                .setAllocationBytes(pool.allocationBytes())
                .setAvailableBytes(pool.availableBytes())
                .setTargetPath(nullToEmpty(pool.targetPath()))
                .setSourceHost(nullToEmpty(pool.sourceHost()))
                .setSource(nullToEmpty(pool.sourceTarget()))
                .build();
    }

    static StorageVolume toProto(StoragePoolOperations.VolumeInfo volume) {
        return StorageVolume.newBuilder()
                .setPool(nullToEmpty(volume.pool()))
                .setName(nullToEmpty(volume.name()))
                .setKey(nullToEmpty(volume.key()))
                .setPath(nullToEmpty(volume.path()))
                .setFormat(nullToEmpty(volume.format()))
                .setCapacityBytes(volume.capacityBytes())
                .setAllocationBytes(volume.allocationBytes())
                .build();
    }

    private static String nullToEmpty(String value) {
        return value == null ? "" : value;
    }

    private static String shorten(String text) {
        return text.length() <= 80 ? text : text.substring(0, 77) + "...";
    }
}
