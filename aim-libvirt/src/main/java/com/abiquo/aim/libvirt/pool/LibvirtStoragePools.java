package com.abiquo.aim.libvirt.pool;

import com.abiquo.aim.libvirt.LibvirtErrorReason;
import static java.util.Objects.requireNonNull;

import com.abiquo.aim.core.config.StorageConfig;
import com.abiquo.aim.core.error.AimException;
import com.abiquo.aim.core.iscsi.InitiatorName;
import com.abiquo.aim.core.iscsi.Iqn;
import com.abiquo.aim.core.iscsi.Portal;
import com.abiquo.aim.core.spi.StoragePoolOperations;
import com.abiquo.aim.libvirt.connection.Handles;
import com.abiquo.aim.libvirt.connection.LibvirtAccess;
import io.grpc.Status;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Supplier;
import org.libvirt.LibvirtException;
import org.libvirt.StoragePool;

/**
 * The node's one implementation of libvirt pools and volumes, over the shared {@link LibvirtAccess}. Every libvirt
 * call runs under a deadline (iSCSI pools talk to portals that may stop answering, {@link LibvirtCalls}); iSCSI
 * portals are checked for reachability first so a dead portal is a quick UNAVAILABLE. Calls that create, start,
 * refresh or delete a pool run one at a time per pool ({@link StorageBulkhead} lanes): a call that timed out goes on inside
 * libvirt, and the clean-up after it, or the next call on that pool, waits for it instead of racing it.
 *
 * <p>This class wires the parts together and reads pools; {@link PoolChanges} creates and deletes them,
 * {@link LibvirtVolumes} works on their volumes, {@link IscsiProbes} logs in to targets for a moment and
 * {@link ProbeLeftovers} removes what such logins left behind.
 */
public final class LibvirtStoragePools implements StoragePoolOperations, AutoCloseable {
    /** Portals get this long to accept a TCP connection before an iSCSI call is refused as UNAVAILABLE. */
    static final Duration PORTAL_CONNECT_TIMEOUT = Duration.ofSeconds(3);
    /** Names of the transient pools of probes (ListTargetLuns, credential checks); reserved for them. */
    public static final String PROBE_PREFIX = "aim-probe-";

    private final StorageBulkhead bulkhead = new StorageBulkhead();
    private final LibvirtCalls calls;
    private final ProbeLeftovers leftovers;
    private final IscsiProbes probes;
    private final PoolChanges changes;
    private final LibvirtVolumes volumes;

    public LibvirtStoragePools(Supplier<Optional<LibvirtAccess>> libvirt, Duration timeout) {
        this(libvirt, timeout, new InitiatorName(Path.of(StorageConfig.DEFAULT_INITIATOR_NAME_FILE)));
    }

    /**
     * @param initiatorName the node's initiator name, with which the CHAP credentials asked for an existing kernel
     *     pool that names no initiator of its own are checked
     */
    public LibvirtStoragePools(Supplier<Optional<LibvirtAccess>> libvirt, Duration timeout,
                               InitiatorName initiatorName) {
        requireNonNull(libvirt, "libvirt is null");
        requireNonNull(timeout, "timeout is null");
        requireNonNull(initiatorName, "initiatorName is null");
        leftovers = new ProbeLeftovers(libvirt, bulkhead);
        // Every call that finds libvirt starts the sweep of probe leftovers if it is wanted and has not started.
        calls = new LibvirtCalls(libvirt, timeout, bulkhead, leftovers::sweepIfWanted);
        probes = new IscsiProbes(calls, leftovers, initiatorName);
        changes = new PoolChanges(calls, probes);
        volumes = new LibvirtVolumes(calls);
    }

    @Override
    public PoolOutcome createOrRefresh(PoolSpec requested) throws AimException {
        return changes.createOrRefresh(requested);
    }

    @Override
    public List<PoolInfo> listPools() throws AimException {
        return calls.call("listing storage pools", connect -> {
            List<PoolInfo> pools = new ArrayList<>();
            for (String name : PoolHandles.poolNames(connect)) {
                Handles.using(connect.storagePoolLookupByName(name), pool -> {
                    PoolXml.Definition definition = PoolXml.parsePool(pool.getXMLDesc(0));
                    if (definition.poolType().isPresent()) {
                        pools.add(PoolHandles.info(pool, definition));
                    }
                    return null;
                });
            }
            pools.sort(Comparator.comparing(PoolInfo::name));
            return pools;
        });
    }

    @Override
    public PoolInfo getPool(String name) throws AimException {
        Names.existingPoolName(name, "name");
        return calls.call("reading storage pool " + name, connect ->
                Handles.using(PoolHandles.lookupPool(connect, name), pool -> {
                    PoolXml.Definition definition = PoolXml.parsePool(pool.getXMLDesc(0));
                    if (definition.poolType().isEmpty()) {
                        throw new AimException(Status.Code.FAILED_PRECONDITION, LibvirtErrorReason.POOL_TYPE_UNSUPPORTED, "storage"
                                + " pool " + name + " is a " + definition.type() + " pool; AIM handles dir, netfs,"
                                + " iscsi and iscsi-direct pools", Map.of("pool", name, "type", definition.type()),
                                null);
                    }
                    return PoolHandles.info(pool, definition);
                }));
    }

    @Override
    public PoolInfo refreshPool(String name) throws AimException {
        Names.existingPoolName(name, "pool");
        return calls.callOnPool(name, "refreshing storage pool " + name, connect ->
                Handles.using(PoolHandles.lookupPool(connect, name), pool -> {
                    refreshActive(pool, name);
                    return PoolHandles.info(pool);
                }));
    }

    /** Refreshes an active pool and lists its volumes in one libvirt call (the rescan of one pool). */
    @Override
    public List<VolumeInfo> refreshAndListVolumes(String name) throws AimException {
        Names.existingPoolName(name, "pool");
        return calls.callOnPool(name, "refreshing storage pool " + name, connect ->
                Handles.using(PoolHandles.lookupPool(connect, name), pool -> {
                    refreshActive(pool, name);
                    return LibvirtVolumes.volumes(name, pool);
                }));
    }

    /** Refreshes the pool; FAILED_PRECONDITION when it is not started. */
    private static void refreshActive(StoragePool pool, String name) throws LibvirtException, AimException {
        if (pool.isActive() != 1) {
            throw new AimException(Status.Code.FAILED_PRECONDITION, LibvirtErrorReason.POOL_NOT_ACTIVE, "storage pool " + name
                    + " is not active (started); it cannot be refreshed", Map.of("pool", name), null);
        }
        pool.refresh(0);
    }

    @Override
    public PoolDeletion deletePool(String name) throws AimException {
        return changes.deletePool(name);
    }

    @Override
    public List<VolumeInfo> listVolumes(String poolName) throws AimException {
        return volumes.listVolumes(poolName);
    }

    @Override
    public VolumeInfo createVolume(String poolName, String name, long capacityBytes, long allocationBytes,
                                   String format) throws AimException {
        return volumes.createVolume(poolName, name, capacityBytes, allocationBytes, format);
    }

    /** Deleting a volume that is already gone succeeds and returns false (the pool must exist). */
    @Override
    public boolean deleteVolume(String poolName, String name) throws AimException {
        return volumes.deleteVolume(poolName, name);
    }

    @Override
    public VolumeInfo resizeVolume(String poolName, String name, long capacityBytes, boolean allowShrink)
            throws AimException {
        return volumes.resizeVolume(poolName, name, capacityBytes, allowShrink);
    }

    @Override
    public List<String> iscsiPoolsOf(String targetIqn) throws AimException {
        List<String> pools = new ArrayList<>();
        for (PoolXml.Definition definition : calls.call("listing storage pools", PoolHandles::definitions)) {
            if (definition.type().startsWith("iscsi") && Iqn.same(definition.device(), targetIqn)) {
                pools.add(definition.name());
            }
        }
        return pools;
    }

    @Override
    public List<VolumeInfo> probeIscsiVolumes(Portal portal, String targetIqn, String initiatorIqn,
                                              Optional<Chap> chap) throws AimException {
        return probes.probeIscsiVolumes(portal, targetIqn, initiatorIqn, chap);
    }

    /**
     * Asks for the removal of what probes of an earlier run of the agent left in libvirtd: transient pools named
     * {@link #PROBE_PREFIX}... and their CHAP secrets. Runs in the background on a storage thread as soon as libvirt
     * is there (now, or at the first call that finds it), once; probes of this process are left alone.
     */
    public void removeProbeLeftovers() {
        leftovers.remove();
    }

    @Override
    public void close() {
        bulkhead.close();
    }
}
