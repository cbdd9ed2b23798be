package com.abiquo.aim.core.spi;

import com.abiquo.aim.core.error.AimException;
import java.util.List;
import java.util.Optional;

/**
 * libvirt storage pools and volumes, implemented once (in aim-storage, over {@link LibvirtAccess}) and used by both
 * the Storage service and the Libvirt service's pool and disk RPCs. Sizes are bytes.
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

    /** Defines, builds and starts the pool; one that already exists for the same source/target is refreshed. */
    PoolInfo createOrRefreshPool(PoolSpec spec) throws AimException;

    List<PoolInfo> listPools() throws AimException;

    PoolInfo refreshPool(String name) throws AimException;

    /** Stops and undefines the pool; its data stays. Deleting a pool that is gone succeeds. */
    void deletePool(String name) throws AimException;

    List<VolumeInfo> listVolumes(String pool) throws AimException;

    /** @param format "raw" or "qcow2" */
    VolumeInfo createVolume(String pool, String name, long capacityBytes, long allocationBytes, String format)
            throws AimException;

    void deleteVolume(String pool, String name) throws AimException;

    /** Grows the volume; shrinking is refused (FAILED_PRECONDITION) unless allowShrink. */
    VolumeInfo resizeVolume(String pool, String name, long capacityBytes, boolean allowShrink) throws AimException;
}
