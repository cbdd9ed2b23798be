package com.abiquo.aim.libvirt.pool;

import com.abiquo.aim.libvirt.LibvirtErrorReason;
import com.abiquo.aim.core.error.AimException;
import com.abiquo.aim.core.iscsi.Iqn;
import com.abiquo.aim.core.iscsi.Portal;
import com.abiquo.aim.core.spi.StoragePoolOperations.Chap;
import com.abiquo.aim.core.spi.StoragePoolOperations.PoolSpec;
import io.grpc.Status;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;

/**
 * Whether a pool that already exists is the one a creation asks for: it is reused (refreshed) only when it has the
 * same source, the same authentication and the same initiator; what cannot change without restarting the pool is
 * refused rather than redefined.
 */
final class PoolReuse {
    private PoolReuse() {
    }

    /** Same kind of pool on the same source: same folder, same NFS export, or same portal and target. */
    static boolean sameSource(PoolXml.Definition existing, PoolSpec spec) {
        if (!existing.type().equals(PoolXml.libvirtType(spec.type()))) {
            return false;
        }
        return switch (spec.type()) {
            case DIR -> samePath(existing.targetPath(), spec.targetPath());
            case NETFS -> existing.sourceHost().equalsIgnoreCase(spec.sourceHost())
                    && samePath(existing.sourceDir(), spec.sourceDir());
            case ISCSI, ISCSI_DIRECT -> existing.sourceHost().equalsIgnoreCase(spec.sourceHost())
                    && (existing.sourcePort() == 0 ? Portal.DEFAULT_PORT : existing.sourcePort()) == spec.sourcePort()
                    && Iqn.same(existing.device(), spec.sourceTarget());
        };
    }

    /**
     * An existing pool is reused only with the authentication asked for: no CHAP on both sides, or the same CHAP user
     * with the secret AIM keeps for that pool (whose password AIM may then replace). Anything else is refused rather
     * than redefined: a pool's new auth takes effect only when it is restarted, and restarting a kernel iSCSI pool
     * logs out the sessions that running domains use. The caller deletes and re-creates the pool, or asks again
     * with the pool's own auth.
     */
    static void requireSameAuth(PoolXml.Definition existing, PoolSpec spec) throws AimException {
        Optional<Chap> asked = spec.chap();
        String has = existing.authUsername();
        String why;
        if (asked.isEmpty() && !existing.hasAuth()) {
            return;
        } else if (asked.isEmpty()) {
            why = "it logs in with CHAP user " + (has.isEmpty() ? "(none)" : has) + " but no CHAP was asked for";
        } else if (!existing.hasAuth()) {
            why = "it has no CHAP authentication but CHAP user " + asked.get().username() + " was asked for";
        } else if (!asked.get().username().equals(has)) {
            why = "it logs in with CHAP user " + has + " but CHAP user " + asked.get().username() + " was asked for";
        } else if (!existing.authUsage().equals(ChapSecrets.chapUsage(existing.name()))) {
            why = "its CHAP password is in a libvirt secret AIM does not manage ("
                    + (existing.authUsage().isEmpty() ? "uuid " + existing.authSecretUuid()
                    : "usage " + existing.authUsage()) + "), so AIM cannot set the password asked for";
        } else {
            return;
        }
        throw new AimException(Status.Code.FAILED_PRECONDITION, LibvirtErrorReason.POOL_AUTH_CONFLICT, "storage pool "
                + existing.name() + " (" + describe(existing) + ") already exists, but " + why + "; AIM does not"
                + " change the authentication of an existing pool: delete the pool and create it again, or ask with"
                + " the pool's own authentication", Map.of("pool", existing.name(), "field", "chap"), null);
    }

    /**
     * An existing iSCSI pool is reused only for the initiator it logs in with: the same IQN (without regard to
     * case), or none on both sides (a kernel pool with the node's own name). A pool's initiator cannot change
     * without restarting it, so another one is refused rather than dropped.
     */
    static void requireSameInitiator(PoolXml.Definition existing, PoolSpec spec) throws AimException {
        String has = existing.initiatorIqn();
        String asked = spec.initiatorIqn() == null ? "" : spec.initiatorIqn();
        if (has.isEmpty() && asked.isEmpty() || !has.isEmpty() && !asked.isEmpty() && Iqn.same(has, asked)) {
            return;
        }
        throw new AimException(Status.Code.FAILED_PRECONDITION, LibvirtErrorReason.POOL_INITIATOR_CONFLICT, "storage pool "
                + existing.name() + " (" + describe(existing) + ") already exists, but it logs in as "
                + (has.isEmpty() ? "the node's own initiator (no initiator in the pool)" : "initiator " + has)
                + " and " + (asked.isEmpty() ? "the node's own initiator" : "initiator " + asked) + " was asked for;"
                + " AIM does not change the initiator of an existing pool: delete the pool and create it again, or"
                + " ask with the pool's own initiator", Map.of("pool", existing.name(), "field", "initiator_iqn"),
                null);
    }

    /** The pool's source, for messages: its folder, its NFS export, or its target and portal. */
    static String describe(PoolXml.Definition definition) {
        return switch (definition.type()) {
            case "dir" -> "folder " + definition.targetPath();
            case "netfs" -> definition.sourceHost() + ":" + definition.sourceDir();
            default -> definition.sourceHost().isEmpty() ? "target path " + definition.targetPath()
                    : "target " + definition.device() + " at " + definition.sourceHost() + ":"
                    + definition.sourcePort();
        };
    }

    private static boolean samePath(String first, String second) {
        return !first.isEmpty() && Path.of(first).normalize().equals(Path.of(second).normalize());
    }
}
