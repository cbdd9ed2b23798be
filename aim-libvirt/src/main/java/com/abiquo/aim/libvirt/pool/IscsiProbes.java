package com.abiquo.aim.libvirt.pool;

import static java.util.Objects.requireNonNull;

import com.abiquo.aim.core.error.AimException;
import com.abiquo.aim.core.iscsi.InitiatorName;
import com.abiquo.aim.core.iscsi.Portal;
import com.abiquo.aim.core.spi.StoragePoolOperations.Chap;
import com.abiquo.aim.core.spi.StoragePoolOperations.PoolSpec;
import com.abiquo.aim.core.spi.StoragePoolOperations.PoolType;
import com.abiquo.aim.core.spi.StoragePoolOperations.VolumeInfo;
import com.abiquo.aim.libvirt.connection.Handles;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;

/**
 * Throw-away logins to an iSCSI target: a transient iscsi-direct pool (named
 * {@link LibvirtStoragePools#PROBE_PREFIX}...), with CHAP through an ephemeral secret (never on disk), both gone after
 * the call. They read a target's LUNs when the node has no pool for it, and check CHAP credentials before they
 * replace an existing pool's password. What a lost clean-up leaves is for {@link ProbeLeftovers}.
 */
final class IscsiProbes {
    private final LibvirtCalls calls;
    private final ProbeLeftovers leftovers;
    private final InitiatorName initiatorName;

    /**
     * @param initiatorName the node's initiator name, with which the CHAP credentials asked for an existing kernel
     *     pool that names no initiator of its own are checked
     */
    IscsiProbes(LibvirtCalls calls, ProbeLeftovers leftovers, InitiatorName initiatorName) {
        this.calls = requireNonNull(calls, "calls is null");
        this.leftovers = requireNonNull(leftovers, "leftovers is null");
        this.initiatorName = requireNonNull(initiatorName, "initiatorName is null");
    }

    /** A target's volumes (one per LUN), read through a probe; the portal must accept a connection first. */
    List<VolumeInfo> probeIscsiVolumes(Portal portal, String targetIqn, String initiatorIqn, Optional<Chap> chap)
            throws AimException {
        portal.requireReachable(LibvirtStoragePools.PORTAL_CONNECT_TIMEOUT, "portal");
        return probe(portal, targetIqn, initiatorIqn, chap, "reading the LUNs of target " + targetIqn + " at "
                + portal);
    }

    /**
     * Logs in with the CHAP credentials asked for an existing pool on a throw-away probe before they replace the
     * pool's password: the old password cannot be read back (the secret is private), and libvirt stops an
     * iscsi-direct pool whose refresh fails to log in. A refusal (or any failure of the check) leaves the pool and
     * its secret as they were.
     */
    void checkCredentials(PoolXml.Definition existing, PoolSpec spec) throws AimException {
        String initiator = !existing.initiatorIqn().isEmpty() ? existing.initiatorIqn()
                : spec.initiatorIqn() != null && !spec.initiatorIqn().isEmpty() ? spec.initiatorIqn()
                : initiatorName.read();   // a kernel pool logs in with the node's own name
        Portal portal = new Portal(spec.sourceHost(), spec.sourcePort());
        try {
            probe(portal, spec.sourceTarget(), initiator, spec.chap(), "checking the CHAP credentials asked for"
                    + " storage pool " + existing.name() + " at " + portal);
        } catch (AimException refused) {
            Map<String, String> metadata = new HashMap<>(refused.metadata());
            metadata.put("pool", existing.name());
            throw new AimException(refused.code(), refused.reason(), "storage pool " + existing.name() + " is left"
                    + " as it was, with its CHAP password: the credentials asked for were checked first, and "
                    + refused.getMessage(), metadata, refused);
        }
    }

    private List<VolumeInfo> probe(Portal portal, String targetIqn, String initiatorIqn, Optional<Chap> chap,
                                   String what) throws AimException {
        String name = LibvirtStoragePools.PROBE_PREFIX + UUID.randomUUID().toString().substring(0, 8);
        Optional<String> usage = chap.map(c -> ChapSecrets.chapUsage(name));
        PoolSpec spec = new PoolSpec(name, PoolType.ISCSI_DIRECT, "", portal.host(), portal.port(), "", targetIqn,
                initiatorIqn, chap);
        String xml = PoolXml.pool(spec, name, usage);
        boolean late = false;
        leftovers.probeStarted(name);
        try {
            if (usage.isPresent()) {
                calls.callOnPool(name, what, connect -> ChapSecrets.defineProbeSecret(connect, usage.get(),
                        chap.get(), name));
            }
            return calls.callOnPool(name, what, connect ->
                    Handles.using(connect.storagePoolCreateXML(xml, 0), pool -> {
                        try {
                            return LibvirtVolumes.volumes(name, pool);
                        } finally {
                            pool.destroy();
                        }
                    }));
        } catch (StorageBulkhead.Exceeded exceeded) {
            late = true;
            throw exceeded;
        } catch (AimException failure) {
            throw IscsiFailures.translateIscsi(failure, spec);
        } finally {
            if (usage.isPresent() || late) {
                // After a time-out, once the transient pool's call has returned (it destroys the pool itself).
                Duration wait = late ? Duration.ZERO : calls.timeout();
                calls.finishOnPool(name, "removing the temporary CHAP secret of " + name, wait, connect -> {
                    try {
                        if (usage.isPresent()) {
                            ChapSecrets.remove(connect, usage.get());
                        }
                        return null;
                    } finally {
                        leftovers.probeFinished(name);
                    }
                });
            } else {
                leftovers.probeFinished(name);
            }
        }
    }
}
