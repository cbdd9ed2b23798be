package com.abiquo.aim.core.spi;

import com.abiquo.aim.core.error.AimException;
import com.abiquo.aim.core.iscsi.Portal;
import java.util.List;
import java.util.Optional;

/**
 * libvirt storage pools and volumes, implemented once in aim-libvirt (beside the libvirt connection, whose handle and
 * error handling it shares) and published in the {@link com.abiquo.aim.core.module.ServiceRegistry}: the Libvirt
 * service's pool and disk RPCs and aim-storage's iSCSI side (rescans, target LUNs, iSCSI pools) use it. Plain Java
 * types only: no module but aim-libvirt has libvirt on its class path. Sizes are bytes.
 */
public interface StoragePoolOperations {
    enum PoolType { DIR, NETFS, ISCSI, ISCSI_DIRECT }

    /** CHAP credentials for iSCSI pools. */
    record Chap(String username, String secret) {
    }

    /**
     * What a pool should be.
     *
     * @param targetPath local path (dir: the folder; netfs: mount point; iscsi: /dev/disk/by-path); may be empty for
     *     iscsi-direct
     * @param sourceHost NFS server or iSCSI portal host
     * @param sourcePort iSCSI portal port, 0 for the default 3260
     * @param sourceDir NFS export
     * @param sourceTarget iSCSI target IQN
     * @param initiatorIqn initiator IQN (required by iscsi-direct)
     */
    record PoolSpec(String name, PoolType type, String targetPath, String sourceHost, int sourcePort,
                    String sourceDir, String sourceTarget, String initiatorIqn, Optional<Chap> chap) {
    }

    record PoolInfo(String name, String uuid, PoolType type, boolean active, long capacityBytes,
                    long allocationBytes, long availableBytes, String targetPath, String sourceHost,
                    String sourceTarget) {
    }

    record VolumeInfo(String pool, String name, String key, String path, String format, long capacityBytes,
                      long allocationBytes) {
    }

    /**
     * What a pool deletion did.
     *
     * @param found whether there was a pool to delete (false: it was already gone, nothing was done)
     * @param stopped whether the pool was started and was stopped
     */
    record PoolDeletion(boolean found, boolean stopped) {
    }

    /** A pool and whether this call created it (false: an existing pool for the same source was refreshed). */
    record PoolOutcome(PoolInfo pool, boolean created) {
    }

    /** Defines, builds and starts the pool; one that already exists for the same source/target is refreshed. */
    default PoolInfo createOrRefreshPool(PoolSpec spec) throws AimException {
        return createOrRefresh(spec).pool();
    }

    /** As {@link #createOrRefreshPool}, saying whether the pool was created. */
    PoolOutcome createOrRefresh(PoolSpec spec) throws AimException;

    /** The pools of the types AIM handles, by name. */
    List<PoolInfo> listPools() throws AimException;

    /** One pool; NOT_FOUND when it does not exist, FAILED_PRECONDITION for a type AIM does not handle. */
    PoolInfo getPool(String name) throws AimException;

    PoolInfo refreshPool(String name) throws AimException;

    /**
     * Stops and undefines the pool; its volumes' data stays. Idempotent: deleting a pool that is gone succeeds
     * ({@code found} false). Refused (FAILED_PRECONDITION POOL_IN_USE) when stopping it would take a volume away
     * from a running domain.
     */
    PoolDeletion deletePool(String name) throws AimException;

    /** The volumes of a started pool, by name. */
    List<VolumeInfo> listVolumes(String pool) throws AimException;

    /** Refreshes a started pool, then lists its volumes by name. */
    List<VolumeInfo> refreshAndListVolumes(String pool) throws AimException;

    /** @param format "raw" or "qcow2" */
    VolumeInfo createVolume(String pool, String name, long capacityBytes, long allocationBytes, String format)
            throws AimException;

    /**
     * Deletes the volume and its data. Idempotent: a volume that is gone is deleted (returns false); the pool must
     * exist (NOT_FOUND) and be started (FAILED_PRECONDITION).
     *
     * @return whether there was a volume to delete
     */
    boolean deleteVolume(String pool, String name) throws AimException;

    /** Grows the volume; shrinking is refused (FAILED_PRECONDITION) unless allowShrink. */
    VolumeInfo resizeVolume(String pool, String name, long capacityBytes, boolean allowShrink) throws AimException;

    /** Names of the pools (iscsi or iscsi-direct) whose source is this target. */
    List<String> iscsiPoolsOf(String targetIqn) throws AimException;

    /**
     * Lists a target's volumes (one per LUN) through a transient iscsi-direct pool that exists only during this
     * call; used when the node has no pool for the target. The portal must accept a connection first (UNAVAILABLE).
     */
    List<VolumeInfo> probeIscsiVolumes(Portal portal, String targetIqn, String initiatorIqn, Optional<Chap> chap)
            throws AimException;
}
