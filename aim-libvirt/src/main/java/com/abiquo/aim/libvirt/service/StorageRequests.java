package com.abiquo.aim.libvirt.service;

import com.abiquo.aim.core.error.AimException;
import com.abiquo.aim.core.error.ErrorReason;
import com.abiquo.aim.core.path.PathLimits;
import com.abiquo.aim.core.spi.StoragePoolOperations;
import com.abiquo.aim.core.spi.StoragePoolOperations.PoolType;
import com.abiquo.aim.libvirt.LibvirtErrorReason;
import com.abiquo.aim.v1.CreateStoragePoolRequest;
import com.abiquo.aim.v1.DiskFormat;
import com.abiquo.aim.v1.StoragePool;
import com.abiquo.aim.v1.StoragePoolType;
import com.abiquo.aim.v1.StorageVolume;
import io.grpc.Status;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Pattern;

/** Validation and mapping of the Libvirt service's pool and disk requests (the work is aim-storage's). */
final class StorageRequests {
    private static final Pattern POOL_NAME = Pattern.compile("[A-Za-z0-9_][A-Za-z0-9_.-]{0,63}");
    private static final int MAX_VOLUME_NAME = 255;
    private static final int MAX_EXISTING_POOL_NAME = 255;

    private StorageRequests() {
    }

    static StoragePoolOperations.PoolSpec poolSpec(CreateStoragePoolRequest request) throws AimException {
        checkNewPoolName(request.getName());
        PoolType type = switch (request.getType()) {
            case STORAGE_POOL_TYPE_DIR -> PoolType.DIR;
            case STORAGE_POOL_TYPE_NETFS -> PoolType.NETFS;
            case STORAGE_POOL_TYPE_ISCSI -> PoolType.ISCSI;
            case STORAGE_POOL_TYPE_ISCSI_DIRECT -> PoolType.ISCSI_DIRECT;
            default -> throw AimException.invalidArgument(LibvirtErrorReason.POOL_TYPE_INVALID, "type must be one of "
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
            throw AimException.invalidArgument(LibvirtErrorReason.PORT_INVALID, "source_port " + request.getSourcePort()
                    + " is out of range 0-65535");
        }
        return new StoragePoolOperations.PoolSpec(request.getName(), type, request.getTargetPath(),
                request.getSourceHost(), request.getSourcePort(), request.getSourceDir(), request.getSourceTarget(),
                request.getInitiatorIqn(), chap(request, type));
    }

    /**
     * CHAP credentials are never dropped: half of them, or CHAP for a pool type without it, is INVALID_ARGUMENT
     * naming the field. Whether an existing pool's auth matches is the storage module's to check.
     */
    private static Optional<StoragePoolOperations.Chap> chap(CreateStoragePoolRequest request, PoolType type)
            throws AimException {
        String username = request.getChapUsername();
        String secret = request.getChapSecret();
        if (username.isEmpty() && secret.isEmpty()) {
            return Optional.empty();
        }
        if (type != PoolType.ISCSI && type != PoolType.ISCSI_DIRECT) {
            String field = username.isEmpty() ? "chap_secret" : "chap_username";
            throw invalid(LibvirtErrorReason.CHAP_NOT_APPLICABLE, field,
                    field + " is set, but CHAP is only for iscsi and iscsi-direct"
                    + " pools, not " + type.name().toLowerCase(Locale.ROOT) + " pools");
        }
        if (username.isEmpty()) {
            throw invalid(LibvirtErrorReason.CHAP_USERNAME_REQUIRED, "chap_username",
                    "chap_secret is set but chap_username is empty:"
                    + " CHAP needs both (leave both empty for a target without authentication)");
        }
        if (secret.isEmpty()) {
            throw invalid(LibvirtErrorReason.CHAP_SECRET_REQUIRED, "chap_secret",
                    "chap_username is set but chap_secret is empty:"
                    + " CHAP needs both (leave both empty for a target without authentication)");
        }
        return Optional.of(new StoragePoolOperations.Chap(username, secret));
    }

    private static void require(String value, String field, PoolType type) throws AimException {
        if (value == null || value.isBlank()) {
            throw invalid(LibvirtErrorReason.FIELD_REQUIRED, field, field + " is required for "
                    + type.name().toLowerCase(Locale.ROOT).replace('_', '-') + " pools");
        }
    }

    /**
     * The name of a pool to create: AIM's own rule, strict because the name also becomes a file and secret name
     * (field "name" of CreateStoragePoolRequest).
     */
    static void checkNewPoolName(String name) throws AimException {
        if (name == null || name.isEmpty()) {
            throw invalid(LibvirtErrorReason.POOL_NAME_EMPTY, "name", "name (the pool name) is empty");
        }
        if (!POOL_NAME.matcher(name).matches()) {
            throw invalid(LibvirtErrorReason.POOL_NAME_INVALID, "name",
                    "name \"" + shorten(name) + "\" is not a valid name for a new"
                    + " pool: 1 to 64 characters of [A-Za-z0-9_.-], not starting with '.' or '-'");
        }
    }

    /**
     * The name of a pool that should already exist (field "pool" of the disk requests). libvirt may hold pools made
     * by others with names outside AIM's creation rule; they must stay usable, so only what is unsafe is refused:
     * empty, too long, '/', control characters.
     */
    static void checkPoolName(String name) throws AimException {
        checkPoolName(name, "pool");
    }

    /** As {@link #checkPoolName(String)}, for a request whose field holding the pool name is {@code field}. */
    static void checkPoolName(String name, String field) throws AimException {
        if (name == null || name.isEmpty()) {
            throw invalid(LibvirtErrorReason.POOL_NAME_EMPTY, field, field + " (the pool name) is empty");
        }
        if (PathLimits.utf8Length(name) > MAX_EXISTING_POOL_NAME || name.contains("/")
                || name.chars().anyMatch(Character::isISOControl)) {
            throw invalid(LibvirtErrorReason.POOL_NAME_INVALID, field,
                    field + " \"" + shorten(name) + "\" is not a pool name: at most "
                    + MAX_EXISTING_POOL_NAME + " bytes in UTF-8, without '/' or control characters");
        }
    }

    private static AimException invalid(ErrorReason reason, String field, String message) {
        return new AimException(Status.Code.INVALID_ARGUMENT, reason, message, Map.of("field", field), null);
    }

    static void checkVolumeName(String name) throws AimException {
        if (name == null || name.isEmpty()) {
            throw AimException.invalidArgument(LibvirtErrorReason.VOLUME_NAME_EMPTY, "volume name is empty");
        }
        // a volume of a directory pool is a file: the kernel's NAME_MAX counts bytes, not characters
        if (PathLimits.utf8Length(name) > MAX_VOLUME_NAME || name.contains("/") || name.equals(".")
                || name.equals("..")
                || name.chars().anyMatch(Character::isISOControl)) {
            throw AimException.invalidArgument(LibvirtErrorReason.VOLUME_NAME_INVALID, "volume name \"" + shorten(name)
                    + "\" must be 1 to " + MAX_VOLUME_NAME + " bytes in UTF-8, without '/' or control characters");
        }
    }

    /** A uint64 byte count from a request, as a Java long. */
    static long bytes(long value, String field, boolean zeroAllowed) throws AimException {
        if (value < 0) {
            throw AimException.invalidArgument(LibvirtErrorReason.SIZE_INVALID, field + " " + Long.toUnsignedString(value)
                    + " is too large (at most " + Long.MAX_VALUE + ")");
        }
        if (value == 0 && !zeroAllowed) {
            throw AimException.invalidArgument(LibvirtErrorReason.SIZE_INVALID, field + " must be more than 0");
        }
        return value;
    }

    static String format(DiskFormat format) throws AimException {
        return switch (format) {
            case DISK_FORMAT_RAW -> "raw";
            case DISK_FORMAT_QCOW2 -> "qcow2";
            default -> throw AimException.invalidArgument(LibvirtErrorReason.DISK_FORMAT_INVALID,
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
        String shown = text.replaceAll("\\p{Cntrl}", "?");
        return shown.length() <= 80 ? shown : shown.substring(0, 77) + "...";
    }
}
