package com.abiquo.aim.libvirt.pool;

import com.abiquo.aim.libvirt.LibvirtErrorReason;
import com.abiquo.aim.core.error.AimException;
import com.abiquo.aim.core.error.CoreErrorReason;
import com.abiquo.aim.core.spi.StoragePoolOperations.PoolSpec;
import com.abiquo.aim.core.spi.StoragePoolOperations.PoolType;
import io.grpc.Status;
import java.util.Map;

/** Turns libvirt's errors about iSCSI pools (all "internal errors" from libiscsi or iscsiadm) into precise ones. */
final class IscsiFailures {
    private IscsiFailures() {
    }

    /** libiscsi's login failures arrive as libvirt internal errors; say what they mean. */
    static AimException translateIscsi(AimException failure, PoolSpec spec) {
        if (!PoolSpecs.isIscsi(spec.type()) || failure.code() == Status.Code.DEADLINE_EXCEEDED
                || failure.code() == Status.Code.UNAVAILABLE && failure.reason() == CoreErrorReason.LIBVIRT_NOT_AVAILABLE) {
            return failure;
        }
        String message = failure.getMessage() == null ? "" : failure.getMessage();
        String where = "target " + spec.sourceTarget() + " at " + spec.sourceHost() + ":" + spec.sourcePort();
        Map<String, String> metadata = Map.of("target", spec.sourceTarget());
        if (message.contains("Target not found")) {
            return new AimException(Status.Code.NOT_FOUND, LibvirtErrorReason.ISCSI_TARGET_NOT_FOUND, "the portal does not serve "
                    + where + ": " + message, metadata, failure);
        }
        if (message.contains("Failed to login") || message.contains("uthori") || message.contains("uthenticat")) {
            return new AimException(Status.Code.FAILED_PRECONDITION, LibvirtErrorReason.ISCSI_LOGIN_FAILED, "login to " + where
                    + " failed: " + message, metadata, failure);
        }
        if (spec.type() == PoolType.ISCSI_DIRECT && message.contains("Failed to connect:")) {
            return new AimException(Status.Code.UNAVAILABLE, CoreErrorReason.PORTAL_UNREACHABLE, "cannot connect to " + where
                    + ": " + message, metadata, failure);
        }
        if (failure.code() == Status.Code.INTERNAL || failure.code() == Status.Code.UNKNOWN) {
            // libvirt reports iscsiadm's and libiscsi's failures as internal errors; they are the node's or the
            // SAN's state (no iscsid, no iscsi_tcp, login refused), not a fault of the agent.
            return new AimException(Status.Code.FAILED_PRECONDITION, LibvirtErrorReason.ISCSI_POOL_START_FAILED, "libvirt could not"
                    + " reach " + where + ": " + message, metadata, failure);
        }
        return failure;
    }
}
