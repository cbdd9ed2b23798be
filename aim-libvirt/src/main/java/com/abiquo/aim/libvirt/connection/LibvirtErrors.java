package com.abiquo.aim.libvirt.connection;

import com.abiquo.aim.core.error.AimException;
import com.abiquo.aim.core.error.ErrorReason;
import com.abiquo.aim.libvirt.LibvirtErrorReason;
import io.grpc.Status;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import org.libvirt.LibvirtException;
import org.libvirt.jna.Libvirt;
import org.libvirt.jna.virError;

/**
 * The one place where libvirt errors become AIM failures. The status comes from libvirt's TRUE error code, read with
 * {@code virGetLastError()} on the thread that caught the exception, right after the failing call: libvirt keeps the
 * last error per thread, and the next libvirt call on that thread (a {@code free()} of a handle included) resets it.
 * Code that frees handles or calls libvirt again before the failure reaches {@link LibvirtConnection#call} must
 * {@link #capture} the failure first (in the {@code catch}, before the {@code finally} frees); the true error then
 * travels with the exception.
 *
 * <p>When the last error is gone anyway, the code comes from libvirt-java's {@code Error.ErrorNumber}, which
 * {@code wrap()}s the raw code as an index into the enum: the ORDINAL is the true code (measured: 72,
 * NO_DOMAIN_SNAPSHOT, comes back as ordinal 72), only the constant's NAME is off from 60 up (the enum lacks libvirt's
 * 60-63, so ordinal 72 is called VIR_ERR_STORAGE_POOL_BUILT, libvirt's 76). The enum ends at ordinal 80
 * (VIR_ERR_UNKNOWN), onto which every code from 80 up is clamped: those codes cannot be recovered from the enum.
 */
public final class LibvirtErrors {
    /** libvirt's virErrorNumber names, indexed by code (libvirt 9.0). */
    private static final String[] NAMES = {
        "OK", "INTERNAL_ERROR", "NO_MEMORY", "NO_SUPPORT", "UNKNOWN_HOST", "NO_CONNECT", "INVALID_CONN",
        "INVALID_DOMAIN", "INVALID_ARG", "OPERATION_FAILED", "GET_FAILED", "POST_FAILED", "HTTP_ERROR",
        "SEXPR_SERIAL", "NO_XEN", "XEN_CALL", "OS_TYPE", "NO_KERNEL", "NO_ROOT", "NO_SOURCE", "NO_TARGET", "NO_NAME",
        "NO_OS", "NO_DEVICE", "NO_XENSTORE", "DRIVER_FULL", "CALL_FAILED", "XML_ERROR", "DOM_EXIST",
        "OPERATION_DENIED", "OPEN_FAILED", "READ_FAILED", "PARSE_FAILED", "CONF_SYNTAX", "WRITE_FAILED", "XML_DETAIL",
        "INVALID_NETWORK", "NETWORK_EXIST", "SYSTEM_ERROR", "RPC", "GNUTLS_ERROR", "WAR_NO_NETWORK", "NO_DOMAIN",
        "NO_NETWORK", "INVALID_MAC", "AUTH_FAILED", "INVALID_STORAGE_POOL", "INVALID_STORAGE_VOL", "WAR_NO_STORAGE",
        "NO_STORAGE_POOL", "NO_STORAGE_VOL", "WAR_NO_NODE", "INVALID_NODE_DEVICE", "NO_NODE_DEVICE",
        "NO_SECURITY_MODEL", "OPERATION_INVALID", "WAR_NO_INTERFACE", "NO_INTERFACE", "INVALID_INTERFACE",
        "MULTIPLE_INTERFACES", "WAR_NO_NWFILTER", "INVALID_NWFILTER", "NO_NWFILTER", "BUILD_FIREWALL",
        "WAR_NO_SECRET", "INVALID_SECRET", "NO_SECRET", "CONFIG_UNSUPPORTED", "OPERATION_TIMEOUT",
        "MIGRATE_PERSIST_FAILED", "HOOK_SCRIPT_FAILED", "INVALID_DOMAIN_SNAPSHOT", "NO_DOMAIN_SNAPSHOT",
        "INVALID_STREAM", "ARGUMENT_UNSUPPORTED", "STORAGE_PROBE_FAILED", "STORAGE_POOL_BUILT",
        "SNAPSHOT_REVERT_RISKY", "OPERATION_ABORTED", "AUTH_CANCELLED", "NO_DOMAIN_METADATA", "MIGRATE_UNSAFE",
        "OVERFLOW", "BLOCK_COPY_ACTIVE", "OPERATION_UNSUPPORTED", "SSH", "AGENT_UNRESPONSIVE", "RESOURCE_BUSY",
        "ACCESS_DENIED", "DBUS_SERVICE", "STORAGE_VOL_EXIST", "CPU_INCOMPATIBLE", "XML_INVALID_SCHEMA",
        "MIGRATE_FINISH_OK", "AUTH_UNAVAILABLE", "NO_SERVER", "NO_CLIENT", "AGENT_UNSYNCED", "LIBSSH",
        "DEVICE_MISSING", "INVALID_NWFILTER_BINDING", "NO_NWFILTER_BINDING", "INVALID_DOMAIN_CHECKPOINT",
        "NO_DOMAIN_CHECKPOINT", "NO_DOMAIN_BACKUP", "INVALID_NETWORK_PORT", "NETWORK_PORT_EXIST", "NO_NETWORK_PORT",
        "NO_HOSTNAME", "CHECKPOINT_INCONSISTENT", "MULTIPLE_DOMAINS",
    };

    public static final int NO_SUPPORT = 3;
    public static final int NO_CONNECT = 5;
    public static final int INVALID_CONN = 6;
    public static final int INVALID_ARG = 8;
    public static final int OPERATION_FAILED = 9;
    public static final int XML_ERROR = 27;
    public static final int DOM_EXIST = 28;
    public static final int SYSTEM_ERROR = 38;
    public static final int RPC = 39;
    public static final int NO_DOMAIN = 42;
    public static final int NO_STORAGE_POOL = 49;
    public static final int NO_STORAGE_VOL = 50;
    public static final int OPERATION_INVALID = 55;
    public static final int OPERATION_UNSUPPORTED = 84;
    /** A code libvirt-java clamped onto its VIR_ERR_UNKNOWN (80 or more) when libvirt's own error was gone. */
    public static final int UNKNOWN_CODE = -1;
    private static final org.libvirt.Error.ErrorNumber JAVA_UNKNOWN = org.libvirt.Error.ErrorNumber.VIR_ERR_UNKNOWN;

    private static final Map<Integer, Status.Code> STATUS = statusTable();

    private LibvirtErrors() {
    }

    /** A libvirt error as read from libvirt: its true code, error domain (subsystem) and message. */
    public record LibvirtError(int code, int errorDomain, String message) {
        public String codeName() {
            return LibvirtErrors.codeName(code);
        }
    }

    /**
     * Maps a caught libvirt exception. Call it on the thread that caught the exception, before any other libvirt call.
     *
     * @param what what was being done, for the message, e.g. "power on of domain 'web1'" (may be empty)
     * @param connectionAlive whether the connection still works; when it does not, every failure is UNAVAILABLE
     */
    public static AimException map(LibvirtException failure, String what, boolean connectionAlive) {
        return toAimException(trueError(failure), what, connectionAlive, failure);
    }

    /**
     * The error libvirt reported for this exception, with its true code. The first call reads it (from libvirt's
     * last error when that is still this failure's) and attaches it to the exception; later calls, after any number of
     * other libvirt calls on any thread, answer the same.
     */
    public static LibvirtError trueError(LibvirtException failure) {
        for (Throwable attached : failure.getSuppressed()) {
            if (attached instanceof CapturedError captured) {
                return captured.error;
            }
        }
        LibvirtError error = read(failure);
        failure.addSuppressed(new CapturedError(error));
        return error;
    }

    /**
     * Reads the failure's true error now and keeps it with the exception, so that it survives what runs before the
     * exception is mapped (a {@code free()} in a {@code finally}, another libvirt call). Call it first thing in the
     * {@code catch}, on the thread that caught the failure.
     *
     * @return the same exception, for {@code throw LibvirtErrors.capture(failure)}
     */
    public static LibvirtException capture(LibvirtException failure) {
        trueError(failure);
        return failure;
    }

    private static LibvirtError read(LibvirtException failure) {
        String message = failure.getError() == null ? failure.getMessage() : failure.getError().getMessage();
        virError last = Libvirt.INSTANCE.virGetLastError();
        if (last != null && last.code != 0 && (message == null || message.equals(last.message))) {
            return new LibvirtError(last.code, last.domain, last.message == null ? "" : last.message);
        }
        int code = 0;
        int domain = 0;
        if (failure.getError() != null) {
            code = codeOf(failure.getError().getCode());
            domain = failure.getError().getDomain() == null ? 0 : failure.getError().getDomain().ordinal();
        }
        return new LibvirtError(code, domain, message == null ? "" : message);
    }

    /**
     * libvirt's code from libvirt-java's enum constant: its ordinal (the enum is indexed with the raw code; only the
     * names are shifted from 60 up), except VIR_ERR_UNKNOWN, which stands for any code from 80 up.
     */
    static int codeOf(org.libvirt.Error.ErrorNumber number) {
        if (number == null) {
            return 0;
        }
        return number == JAVA_UNKNOWN ? UNKNOWN_CODE : number.ordinal();
    }

    /** The true error, attached to the LibvirtException it belongs to (printed with its stack trace as well). */
    private static final class CapturedError extends RuntimeException {
        private static final long serialVersionUID = 1L;
        private final transient LibvirtError error;

        CapturedError(LibvirtError error) {
            super("libvirt error " + error.code() + " (VIR_ERR_" + error.codeName() + "): " + error.message(), null,
                    false, false);
            this.error = error;
        }
    }

    public static AimException toAimException(LibvirtError error, String what, boolean connectionAlive,
                                              Throwable cause) {
        Status.Code status = connectionAlive ? statusOf(error) : Status.Code.UNAVAILABLE;
        Map<String, String> metadata = new LinkedHashMap<>();
        metadata.put("libvirt_code", error.code() == UNKNOWN_CODE ? "unknown" : Integer.toString(error.code()));
        metadata.put("libvirt_error", "VIR_ERR_" + error.codeName());
        metadata.put("libvirt_domain", Integer.toString(error.errorDomain()));
        metadata.put("libvirt_message", error.message());
        ErrorReason reason = connectionAlive ? LibvirtCodeReason.of(error.code())
                : LibvirtErrorReason.LIBVIRT_UNREACHABLE;
        String text = (what == null || what.isEmpty() ? "" : what + " failed: ") + error.message();
        if (!connectionAlive) {
            text = text + " (the connection to libvirtd is lost; AIM reconnects with backoff)";
        }
        return new AimException(status, reason, text, metadata, cause);
    }

    /**
     * Whether a mapped failure is qemu-img refusing an image whose write lock a running domain (QEMU) holds. libvirt
     * reports it only as an internal error (code 1) whose message carries qemu's text ("Child process (qemu-img
     * resize ...) unexpected exit status 1: ... Failed to get "write" lock"; measured on libvirt 9 with a qcow2
     * volume of a running KVM domain), so the text is all there is to go by.
     */
    public static boolean imageWriteLockHeld(AimException failure) {
        return failure.code() == Status.Code.INTERNAL && "1".equals(failure.metadata().get("libvirt_code"))
                && failure.metadata().getOrDefault("libvirt_message", "").contains("Failed to get \"write\" lock");
    }

    /** The gRPC status for a libvirt error on a live connection. */
    public static Status.Code statusOf(LibvirtError error) {
        Status.Code mapped = STATUS.get(error.code());
        if (mapped != null) {
            return mapped;
        }
        if (error.code() == OPERATION_FAILED) {
            // libvirt reports "domain 'x' already exists with uuid ..." as a generic operation failure.
            return error.message().toLowerCase(Locale.ROOT).contains("already exists")
                    ? Status.Code.ALREADY_EXISTS : Status.Code.FAILED_PRECONDITION;
        }
        return Status.Code.UNKNOWN;
    }

    /** How many codes {@link #codeName} names (0 up to this, exclusive). */
    static int codeCount() {
        return NAMES.length;
    }

    public static String codeName(int code) {
        if (code == UNKNOWN_CODE) {
            return "UNKNOWN";
        }
        return code >= 0 && code < NAMES.length ? NAMES[code] : "CODE_" + code;
    }

    private static Map<Integer, Status.Code> statusTable() {
        Map<Integer, Status.Code> table = new java.util.HashMap<>();
        put(table, Status.Code.NOT_FOUND, "NO_DOMAIN", "NO_NETWORK", "NO_STORAGE_POOL", "NO_STORAGE_VOL",
                "NO_NODE_DEVICE", "NO_INTERFACE", "NO_NWFILTER", "NO_SECRET", "NO_DOMAIN_SNAPSHOT",
                "NO_DOMAIN_METADATA", "DEVICE_MISSING", "NO_NWFILTER_BINDING", "NO_DOMAIN_CHECKPOINT",
                "NO_DOMAIN_BACKUP", "NO_NETWORK_PORT", "INVALID_DOMAIN", "INVALID_STORAGE_POOL",
                "INVALID_STORAGE_VOL", "NO_DEVICE", "NO_SERVER", "NO_CLIENT");
        put(table, Status.Code.INVALID_ARGUMENT, "INVALID_ARG", "XML_ERROR", "XML_DETAIL", "XML_INVALID_SCHEMA",
                "INVALID_MAC", "OS_TYPE", "NO_NAME", "NO_OS", "NO_SOURCE", "NO_TARGET", "PARSE_FAILED", "CONF_SYNTAX",
                "INVALID_NETWORK", "INVALID_NODE_DEVICE", "INVALID_INTERFACE", "INVALID_NWFILTER", "INVALID_SECRET",
                "INVALID_DOMAIN_SNAPSHOT", "INVALID_STREAM", "INVALID_NWFILTER_BINDING", "INVALID_DOMAIN_CHECKPOINT",
                "INVALID_NETWORK_PORT", "MULTIPLE_INTERFACES", "MULTIPLE_DOMAINS");
        put(table, Status.Code.ALREADY_EXISTS, "DOM_EXIST", "NETWORK_EXIST", "STORAGE_VOL_EXIST",
                "STORAGE_POOL_BUILT", "NETWORK_PORT_EXIST");
        // Valid requests that the node's current state or abilities do not allow (domain not running, ...).
        put(table, Status.Code.FAILED_PRECONDITION, "OPERATION_INVALID", "CONFIG_UNSUPPORTED", "CPU_INCOMPATIBLE",
                "MIGRATE_UNSAFE", "BLOCK_COPY_ACTIVE", "SNAPSHOT_REVERT_RISKY", "HOOK_SCRIPT_FAILED",
                "STORAGE_PROBE_FAILED", "CHECKPOINT_INCONSISTENT", "NO_SECURITY_MODEL", "MIGRATE_PERSIST_FAILED",
                "SYSTEM_ERROR", "OPEN_FAILED", "READ_FAILED", "WRITE_FAILED", "CALL_FAILED", "DRIVER_FULL",
                "AGENT_UNSYNCED", "NO_HOSTNAME");
        put(table, Status.Code.UNIMPLEMENTED, "NO_SUPPORT", "OPERATION_UNSUPPORTED", "ARGUMENT_UNSUPPORTED");
        put(table, Status.Code.PERMISSION_DENIED, "OPERATION_DENIED", "ACCESS_DENIED", "AUTH_FAILED",
                "AUTH_CANCELLED", "AUTH_UNAVAILABLE");
        put(table, Status.Code.UNAVAILABLE, "NO_CONNECT", "INVALID_CONN", "RPC", "GNUTLS_ERROR", "UNKNOWN_HOST",
                "AGENT_UNRESPONSIVE", "RESOURCE_BUSY", "SSH", "LIBSSH", "DBUS_SERVICE");
        put(table, Status.Code.DEADLINE_EXCEEDED, "OPERATION_TIMEOUT");
        put(table, Status.Code.ABORTED, "OPERATION_ABORTED");
        put(table, Status.Code.OUT_OF_RANGE, "OVERFLOW");
        put(table, Status.Code.RESOURCE_EXHAUSTED, "NO_MEMORY");
        put(table, Status.Code.INTERNAL, "INTERNAL_ERROR");
        return Map.copyOf(table);
    }

    private static void put(Map<Integer, Status.Code> table, Status.Code status, String... names) {
        for (String name : names) {
            int code = java.util.Arrays.asList(NAMES).indexOf(name);
            if (code < 0) {
                throw new IllegalStateException("unknown libvirt error name " + name);
            }
            table.put(code, status);
        }
    }
}
