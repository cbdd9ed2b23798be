package com.abiquo.aim.libvirt.pool;

import com.abiquo.aim.libvirt.LibvirtErrorReason;
import com.abiquo.aim.core.error.AimException;
import com.abiquo.aim.core.error.CoreErrorReason;
import com.abiquo.aim.core.iscsi.Iqn;
import com.abiquo.aim.core.iscsi.Portal;
import com.abiquo.aim.core.path.PathLimits;
import com.abiquo.aim.core.spi.StoragePoolOperations.Chap;
import com.abiquo.aim.core.spi.StoragePoolOperations.PoolSpec;
import com.abiquo.aim.core.spi.StoragePoolOperations.PoolType;
import io.grpc.Status;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** Checks a requested pool before libvirt sees it and returns it in the form AIM writes into pool XML. */
final class PoolSpecs {
    private PoolSpecs() {
    }

    static boolean isIscsi(PoolType type) {
        return type == PoolType.ISCSI || type == PoolType.ISCSI_DIRECT;
    }

    static PoolSpec validate(PoolSpec spec) throws AimException {
        if (spec == null || spec.type() == null) {
            throw new AimException(Status.Code.INVALID_ARGUMENT, LibvirtErrorReason.POOL_TYPE_INVALID, "the pool type is required"
                    + " (dir, netfs, iscsi or iscsi-direct)", Map.of("field", "type"), null);
        }
        Names.newPoolName(spec.name(), "name");
        Optional<Chap> chap = spec.chap() == null ? Optional.empty() : spec.chap();
        if (chap.isPresent() && !isIscsi(spec.type())) {
            // Never dropped silently: a caller that sends credentials expects them to be used.
            throw new AimException(Status.Code.INVALID_ARGUMENT, LibvirtErrorReason.CHAP_NOT_APPLICABLE, "CHAP credentials (chap) are"
                    + " only for iscsi and iscsi-direct pools, not " + PoolXml.libvirtType(spec.type()) + " pools",
                    Map.of("field", "chap"), null);
        }
        switch (spec.type()) {
            case DIR -> {
                return new PoolSpec(spec.name(), spec.type(), localFolder(spec.targetPath(), "target_path"), "", 0,
                        "", "", "", Optional.empty());
            }
            case NETFS -> {
                Portal host = Portal.parse(hostOnly(spec.sourceHost()), "source_host");
                return new PoolSpec(spec.name(), spec.type(), localFolder(spec.targetPath(), "target_path"),
                        host.host(), 0, absolutePath(spec.sourceDir(), "source_dir"), "", "", Optional.empty());
            }
            default -> {
                Portal host = Portal.parse(hostOnly(spec.sourceHost()), "source_host");
                int port = spec.sourcePort() == 0 ? Portal.DEFAULT_PORT : spec.sourcePort();
                if (port < 1 || port > 65535) {
                    throw sizeError("source_port", "must be 0 (3260) or 1-65535");
                }
                Iqn.require(spec.sourceTarget(), "source_target");
                String initiator = spec.initiatorIqn() == null ? "" : spec.initiatorIqn();
                if (!initiator.isEmpty()) {
                    Iqn.require(initiator, "initiator_iqn");
                } else if (spec.type() == PoolType.ISCSI_DIRECT) {
                    throw new AimException(Status.Code.INVALID_ARGUMENT, LibvirtErrorReason.INITIATOR_REQUIRED, "an iscsi-direct pool"
                            + " needs an initiator IQN (initiator_iqn)", Map.of("field", "initiator_iqn"), null);
                }
                if (chap.isPresent()) {
                    validateChap(chap.get());
                }
                String target = spec.type() == PoolType.ISCSI
                        ? absolutePath(spec.targetPath() == null || spec.targetPath().isEmpty()
                                ? PoolXml.DEFAULT_ISCSI_TARGET_PATH : spec.targetPath(), "target_path") : "";
                return new PoolSpec(spec.name(), spec.type(), target, host.host(), port, "", spec.sourceTarget(),
                        initiator, chap);
            }
        }
    }

    /** Accepts a bare host (name, IPv4, or IPv6 with or without brackets), refuses "host:port". */
    static String hostOnly(String host) throws AimException {
        if (host == null || host.isEmpty()) {
            throw Names.invalid(LibvirtErrorReason.FIELD_REQUIRED, "source_host", host, "is empty");
        }
        long colons = host.chars().filter(c -> c == ':').count();
        if (host.startsWith("[") && !host.endsWith("]") || !host.startsWith("[") && colons == 1) {
            throw Names.invalid(CoreErrorReason.INVALID_NAME, "source_host", host,
                    "must be a host without a port (the port is a field of its own)");
        }
        return !host.startsWith("[") && colons > 1 ? "[" + host + "]" : host;
    }

    static void validateChap(Chap chap) throws AimException {
        String user = chap.username() == null ? "" : chap.username();
        if (user.isEmpty() || user.length() > 255 || user.chars().anyMatch(c -> c < 0x21 || c > 0x7e)) {
            throw Names.invalid(CoreErrorReason.INVALID_NAME, "chap.username", user,
                    "must be 1-255 printable ASCII characters without spaces");
        }
        String secret = chap.secret() == null ? "" : chap.secret();
        int bytes = secret.getBytes(StandardCharsets.UTF_8).length;
        if (bytes == 0 || bytes > 255) {
            throw new AimException(Status.Code.INVALID_ARGUMENT, LibvirtErrorReason.INVALID_CHAP_SECRET, "chap.password must be"
                    + " 1-255 bytes", Map.of("field", "chap.password"), null);
        }
    }

    /** The first names of the paths that hold the operating system itself (not data): no pool may live there. */
    private static final List<String> SYSTEM_FOLDERS = List.of("bin", "boot", "dev", "etc", "lib", "lib32", "lib64",
            "proc", "run", "sbin", "sys", "usr");

    static String absolutePath(String path, String field) throws AimException {
        PathLimits.checkPath(path, field); // the kernel's limits, for every name of the path (4095 / 255 bytes)
        if (path == null || path.isEmpty() || !path.startsWith("/") || path.chars().anyMatch(Character::isISOControl)
                || path.length() > 4096) {
            throw Names.invalid(CoreErrorReason.INVALID_PATH, field, path, "must be an absolute path");
        }
        for (String segment : path.split("/")) {
            if (segment.equals("..")) {
                throw Names.invalid(CoreErrorReason.INVALID_PATH, field, path, "must not contain '..'");
            }
        }
        return Path.of(path).normalize().toString();
    }

    /**
     * The local folder of a dir or netfs pool: an absolute path, and none of the system's own folders nor anything
     * below them, since every file of a pool's folder can be deleted through AIM (DeleteDisk) or hidden by a mount.
     */
    static String localFolder(String path, String field) throws AimException {
        String folder = absolutePath(path, field);
        Path normal = Path.of(folder);
        if (normal.getNameCount() == 0 || SYSTEM_FOLDERS.contains(normal.getName(0).toString())) {
            throw Names.invalid(CoreErrorReason.INVALID_PATH, field, path, "is the root folder or below one of the "
                    + "system's own folders (/" + String.join(", /", SYSTEM_FOLDERS) + "): a pool's files can be "
                    + "deleted through AIM");
        }
        return folder;
    }

    static AimException sizeError(String field, String why) {
        return new AimException(Status.Code.INVALID_ARGUMENT, LibvirtErrorReason.SIZE_INVALID, field + " " + why,
                Map.of("field", field), null);
    }
}
