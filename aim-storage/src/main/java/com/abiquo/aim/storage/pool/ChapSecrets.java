package com.abiquo.aim.storage.pool;

import com.abiquo.aim.core.spi.StoragePoolOperations.Chap;
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

    static Void ensureChapSecret(Connect connect, String usage, Chap chap, String poolName)
            throws LibvirtException {
        Optional<Secret> existing = findSecret(connect, usage);
        Secret secret = existing.isPresent() ? existing.get()
                : connect.secretDefineXML(PoolXml.chapSecret(usage, "CHAP password of AIM storage pool " + poolName,
                        false));
        secret.setValue(chap.secret().getBytes(StandardCharsets.UTF_8));
        return null;
    }

    static Optional<Secret> findSecret(Connect connect, String usage) throws LibvirtException {
        for (String uuid : connect.listSecrets()) {
            Secret secret = connect.secretLookupByUUIDString(uuid);
            if (usage.equals(secret.getUsageID())) {
                return Optional.of(secret);
            }
        }
        return Optional.empty();
    }

    static void remove(Connect connect, String usage) throws LibvirtException {
        Optional<Secret> secret = findSecret(connect, usage);
        if (secret.isPresent()) {
            secret.get().undefine();
        }
    }
}
