package com.abiquo.aim.libvirt.pool;

import com.abiquo.aim.core.error.AimException;
import com.abiquo.aim.core.spi.StoragePoolOperations.Chap;
import com.abiquo.aim.libvirt.connection.Handles;
import java.nio.charset.StandardCharsets;
import java.util.Optional;
import org.libvirt.Connect;
import org.libvirt.LibvirtException;
import org.libvirt.Secret;

/**
 * CHAP passwords of iSCSI pools, kept in private libvirt secrets of usage type iscsi named "aim-chap-<pool>" so that
 * pool XML only names them. libvirt-java has no lookup by usage: secrets are found by listing.
 */
final class ChapSecrets {
    static final String USAGE_PREFIX = "aim-chap-";

    private ChapSecrets() {
    }

    static String chapUsage(String poolName) {
        return USAGE_PREFIX + poolName;
    }

    /** The persistent secret of a pool (kept under /etc/libvirt/secrets while the pool exists), with this password. */
    static Void ensureChapSecret(Connect connect, String usage, Chap chap, String poolName)
            throws LibvirtException, AimException {
        Optional<Secret> existing = findSecret(connect, usage);
        Secret secret = existing.isPresent() ? existing.get()
                : connect.secretDefineXML(PoolXml.chapSecret(usage, "CHAP password of AIM storage pool " + poolName,
                        false));
        return Handles.using(secret, found -> {
            found.setValue(chap.secret().getBytes(StandardCharsets.UTF_8));
            return null;
        });
    }

    /**
     * An ephemeral secret for a probe's transient pool: libvirtd keeps it (and the password) in memory only, never
     * under /etc/libvirt/secrets, and forgets it when it restarts; one whose removal was lost is swept at start.
     */
    static Void defineProbeSecret(Connect connect, String usage, Chap chap, String poolName)
            throws LibvirtException, AimException {
        Secret defined = connect.secretDefineXML(PoolXml.chapSecret(usage, "CHAP password of AIM's temporary storage"
                + " pool " + poolName, true));
        return Handles.using(defined, secret -> {
            try {
                secret.setValue(chap.secret().getBytes(StandardCharsets.UTF_8));
            } catch (LibvirtException failed) {
                secret.undefine();
                throw failed;
            }
            return null;
        });
    }

    /** The secret of that usage, if there is one: the caller frees its handle. */
    private static Optional<Secret> findSecret(Connect connect, String usage) throws LibvirtException {
        for (String uuid : secretUuids(connect)) {
            Secret secret = connect.secretLookupByUUIDString(uuid);
            // A failure here leaves the handle to its finalizer: free() would reset the thread's libvirt error.
            if (usage.equals(secret.getUsageID())) {
                return Optional.of(secret);
            }
            Handles.free(secret);
        }
        return Optional.empty();
    }

    /** The secrets' UUIDs; none on a driver without secrets (libvirt's test driver): nothing to find or remove there. */
    static String[] secretUuids(Connect connect) throws LibvirtException {
        try {
            return connect.listSecrets();
        } catch (LibvirtException failure) {
            if (failure.getError() != null
                    && failure.getError().getCode() == org.libvirt.Error.ErrorNumber.VIR_ERR_NO_SUPPORT) {
                return new String[0];
            }
            throw failure;
        }
    }

    static void remove(Connect connect, String usage) throws LibvirtException, AimException {
        Optional<Secret> found = findSecret(connect, usage);
        if (found.isPresent()) {
            Handles.using(found.get(), secret -> {
                secret.undefine();
                return null;
            });
        }
    }
}
