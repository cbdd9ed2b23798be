package com.abiquo.aim.storage.pool;

import static java.util.Objects.requireNonNull;

import com.abiquo.aim.core.error.AimException;
import com.abiquo.aim.core.spi.LibvirtAccess;
import com.abiquo.aim.core.spi.StoragePoolOperations;
import com.abiquo.aim.storage.iscsi.InitiatorName;
import com.abiquo.aim.storage.iscsi.Iqn;
import com.abiquo.aim.storage.iscsi.Portal;
import io.grpc.Context;
import io.grpc.Status;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Supplier;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.Logger;
import org.libvirt.Connect;
import org.libvirt.LibvirtException;
import org.libvirt.Secret;
import org.libvirt.StoragePool;
import org.libvirt.StorageVol;

/**
 * The node's one implementation of libvirt pools and volumes, over the shared {@link LibvirtAccess}. Every libvirt
 * call runs under a deadline (iSCSI pools talk to portals that may stop answering); iSCSI portals are checked for
 * reachability first so a dead portal is a quick UNAVAILABLE. Multi-step operations (define, build, start) are
 * separate libvirt calls so that a failure is mapped from libvirt's own error before any clean-up runs. Calls that
 * create, start, refresh or delete a pool run one at a time per pool ({@link Deadline} lanes): a call that timed out
 * goes on inside libvirt, and the clean-up after it, or the next call on that pool, waits for it instead of racing it.
 */
public final class LibvirtStoragePools implements StoragePoolOperations, AutoCloseable {
    /** virStorageVolResizeFlags: VIR_STORAGE_VOL_RESIZE_SHRINK. */
    static final int RESIZE_SHRINK = 4;
    /** Portals get this long to accept a TCP connection before an iSCSI call is refused as UNAVAILABLE. */
    static final Duration PORTAL_CONNECT_TIMEOUT = Duration.ofSeconds(3);
    /** Names of the transient pools of probes (ListTargetLuns, credential checks); reserved for them. */
    public static final String PROBE_PREFIX = "aim-probe-";
    /** The lane of the sweep of probe leftovers: not a pool name (pool names have no '/'). */
    private static final String SWEEP_LANE = "/probe-leftovers";
    private static final Set<String> FORMATS = Set.of("raw", "qcow2");
    private static final Logger LOG = LogManager.getLogger(LibvirtStoragePools.class);

    private final Supplier<Optional<LibvirtAccess>> libvirt;
    private final Duration timeout;
    private final InitiatorName initiatorName;
    private final Deadline deadline = new Deadline();
    /**
     * Pool creations and deletions take turns, node-wide: a creation decides from the list of all pools (same name,
     * same source under another name) and must not race another creation or a deletion that changes that list.
     * Waiting for the turn counts against the call's deadline ({@link #poolChange}).
     */
    private final ReentrantLock poolChanges = new ReentrantLock(true);
    /** What has the turn now, for the message of a call that could not have it in time. */
    private volatile String poolChangeRunning = "";
    /** Probes of this process that are running or whose clean-up has not run yet: the sweep leaves them alone. */
    private final Set<String> probesRunning = ConcurrentHashMap.newKeySet();
    /** Whether the sweep of probe leftovers is asked for and has not started (again, after libvirt was away). */
    private final AtomicBoolean sweepWanted = new AtomicBoolean();

    /** A pool and whether this call created it (false: an existing pool for the same source was refreshed). */
    public record PoolOutcome(PoolInfo pool, boolean created) {
    }

    public LibvirtStoragePools(Supplier<Optional<LibvirtAccess>> libvirt, Duration timeout) {
        this(libvirt, timeout, new InitiatorName(Path.of("/etc/iscsi/initiatorname.iscsi")));
    }

    /**
     * @param initiatorName the node's initiator name, with which the CHAP credentials asked for an existing kernel
     *     pool that names no initiator of its own are checked
     */
    public LibvirtStoragePools(Supplier<Optional<LibvirtAccess>> libvirt, Duration timeout,
                               InitiatorName initiatorName) {
        this.libvirt = requireNonNull(libvirt, "libvirt is null");
        this.timeout = requireNonNull(timeout, "timeout is null");
        this.initiatorName = requireNonNull(initiatorName, "initiatorName is null");
    }

    @Override
    public PoolInfo createOrRefreshPool(PoolSpec spec) throws AimException {
        return createOrRefresh(spec).pool();
    }

    /** As {@link #createOrRefreshPool}, saying whether the pool was created. */
    public PoolOutcome createOrRefresh(PoolSpec requested) throws AimException {
        PoolSpec spec = PoolSpecs.validate(requested);
        // One creation at a time: two concurrent requests for the same pool must not both define it.
        return poolChange("creating storage pool " + spec.name(), spec.name(), () -> createOrRefreshValid(spec));
    }

    /**
     * Runs a pool creation or deletion when it has its turn ({@link #poolChanges}), waiting for it at most the
     * call's time: {@code [storage] commandTimeoutSeconds}, or less when the gRPC call's own deadline is nearer.
     * A call that cannot have its turn in time is DEADLINE_EXCEEDED naming itself, the pool and what holds the turn.
     */
    private <T> T poolChange(String what, String pool, Deadline.Work<T> work) throws AimException {
        long wait = timeout.toNanos();
        boolean callersDeadline = false;
        io.grpc.Deadline call = Context.current().getDeadline();
        if (call != null && call.timeRemaining(TimeUnit.NANOSECONDS) < wait) {
            wait = Math.max(0, call.timeRemaining(TimeUnit.NANOSECONDS));
            callersDeadline = true;
        }
        boolean turn;
        try {
            turn = poolChanges.tryLock(wait, TimeUnit.NANOSECONDS);
        } catch (InterruptedException interrupted) {
            Thread.currentThread().interrupt();
            throw new AimException(Status.Code.CANCELLED, "STORAGE_CALL_INTERRUPTED", what + " was interrupted",
                    Map.of("pool", pool), interrupted);
        }
        if (!turn) {
            String running = poolChangeRunning;
            throw new Deadline.Exceeded(what + " did not start within " + (callersDeadline ? "the call's deadline"
                    : Deadline.describe(timeout) + " ([storage] commandTimeoutSeconds)") + ": storage pools are"
                    + " created and deleted one at a time, and " + (running.isEmpty()
                    ? "another creation or deletion" : running) + " has not finished", Map.of("pool", pool), false);
        }
        String outer = poolChangeRunning;
        poolChangeRunning = what;
        try {
            return work.run();
        } finally {
            poolChangeRunning = outer;
            poolChanges.unlock();
        }
    }

    private PoolOutcome createOrRefreshValid(PoolSpec spec) throws AimException {
        if (PoolSpecs.isIscsi(spec.type())) {
            new Portal(spec.sourceHost(), spec.sourcePort()).requireReachable(PORTAL_CONNECT_TIMEOUT, "source_host");
        }
        String what = "creating storage pool " + spec.name();
        List<PoolXml.Definition> existing = call(what, this::definitions);
        Optional<PoolXml.Definition> sameName = existing.stream().filter(d -> d.name().equals(spec.name())).findFirst();
        if (sameName.isPresent() && !sameSource(sameName.get(), spec)) {
            PoolXml.Definition other = sameName.get();
            throw new AimException(Status.Code.ALREADY_EXISTS, "POOL_EXISTS_WITH_OTHER_SOURCE", "storage pool "
                    + spec.name() + " already exists as a " + other.type() + " pool with another source ("
                    + describe(other) + ")", Map.of("pool", spec.name()), null);
        }
        Optional<PoolXml.Definition> reuse = sameName.isPresent() ? sameName
                : existing.stream().filter(d -> sameSource(d, spec)).findFirst();
        if (reuse.isPresent()) {
            String name = reuse.get().name();
            requireSameAuth(reuse.get(), spec);
            requireSameInitiator(reuse.get(), spec);
            if (spec.chap().isPresent()) {
                checkCredentials(reuse.get(), spec);
            }
            try {
                if (spec.chap().isPresent()) {
                    // Same user on a pool AIM made with CHAP, credentials checked: a new password replaces the old.
                    callOnPool(name, what, connect -> ChapSecrets.ensureChapSecret(connect,
                            ChapSecrets.chapUsage(name), spec.chap().get(), name));
                }
                PoolInfo info = callOnPool(name, "refreshing storage pool " + name, connect -> {
                    StoragePool pool = connect.storagePoolLookupByName(name);
                    if (pool.isActive() == 1) {
                        pool.refresh(0);
                    } else {
                        pool.create(0);
                    }
                    return info(pool);
                });
                return new PoolOutcome(info, false);
            } catch (AimException failure) {
                throw IscsiFailures.translateIscsi(failure, spec);
            }
        }
        Optional<String> chapUsage = spec.chap().map(chap -> ChapSecrets.chapUsage(spec.name()));
        String xml = PoolXml.pool(spec, spec.name(), chapUsage);
        try {
            if (chapUsage.isPresent()) {
                callOnPool(spec.name(), what, connect -> ChapSecrets.ensureChapSecret(connect, chapUsage.get(),
                        spec.chap().get(), spec.name()));
            }
            callOnPool(spec.name(), what, connect -> connect.storagePoolDefineXML(xml, 0).free());
            PoolInfo info = callOnPool(spec.name(), what, connect -> {
                StoragePool pool = connect.storagePoolLookupByName(spec.name());
                // Building a dir or netfs pool makes its folder (netfs: the mount point, which mount needs).
                if (spec.type() == PoolType.DIR || spec.type() == PoolType.NETFS) {
                    pool.build(0);
                }
                pool.create(0);
                pool.setAutostart(1);
                return info(pool);
            });
            return new PoolOutcome(info, true);
        } catch (Deadline.Exceeded late) {
            // libvirt goes on with the call: the clean-up waits for it in the pool's lane instead of racing it.
            undefineAfterFailure(spec.name(), Duration.ZERO);
            throw new AimException(late.code(), late.reason(), late.getMessage() + "; the pool is removed again once"
                    + " libvirt returns", late.metadata(), late);
        } catch (AimException failure) {
            undefineAfterFailure(spec.name(), timeout);
            throw IscsiFailures.translateIscsi(failure, spec);
        }
    }

    @Override
    public List<PoolInfo> listPools() throws AimException {
        return call("listing storage pools", connect -> {
            List<PoolInfo> pools = new ArrayList<>();
            for (String name : poolNames(connect)) {
                StoragePool pool = connect.storagePoolLookupByName(name);
                if (PoolXml.parsePool(pool.getXMLDesc(0)).poolType().isPresent()) {
                    pools.add(info(pool));
                }
            }
            return pools;
        });
    }

    @Override
    public PoolInfo refreshPool(String name) throws AimException {
        Names.existingName(name, "pool");
        return callOnPool(name, "refreshing storage pool " + name, connect -> {
            StoragePool pool = refreshActive(connect, name);
            return info(pool);
        });
    }

    /** The pool, refreshed; FAILED_PRECONDITION when it is not started. */
    private static StoragePool refreshActive(Connect connect, String name) throws LibvirtException, AimException {
        StoragePool pool = lookupPool(connect, name);
        if (pool.isActive() != 1) {
            throw new AimException(Status.Code.FAILED_PRECONDITION, "POOL_NOT_ACTIVE", "storage pool " + name
                    + " is not active (started); it cannot be refreshed", Map.of("pool", name), null);
        }
        pool.refresh(0);
        return pool;
    }

    /** Refreshes an active pool and lists its volumes in one libvirt call (the rescan of one pool). */
    public List<VolumeInfo> refreshAndListVolumes(String name) throws AimException {
        Names.existingName(name, "pool");
        return callOnPool(name, "refreshing storage pool " + name, connect -> {
            StoragePool pool = refreshActive(connect, name);
            return volumes(name, pool);
        });
    }

    @Override
    public void deletePool(String name) throws AimException {
        Names.existingName(name, "pool");
        poolChange("deleting storage pool " + name, name, () -> {
            deleteValidPool(name);
            return null;
        });
    }

    private void deleteValidPool(String name) throws AimException {
        try {
            deleteDefinition(name);
        } catch (Deadline.Exceeded late) {
            // The secret goes once libvirt has finished the delete, and only if the pool is gone by then.
            finishOnPool(name, "removing the CHAP secret of deleted storage pool " + name, Duration.ZERO, connect -> {
                if (!poolNames(connect).contains(name)) {
                    ChapSecrets.remove(connect, ChapSecrets.chapUsage(name));
                }
                return null;
            });
            throw late;
        }
        callOnPool(name, "deleting the CHAP secret of storage pool " + name, connect -> {
            ChapSecrets.remove(connect, ChapSecrets.chapUsage(name));
            return null;
        });
    }

    private void deleteDefinition(String name) throws AimException {
        callOnPool(name, "deleting storage pool " + name, connect -> {
            if (!poolNames(connect).contains(name)) {
                return null;
            }
            StoragePool pool = connect.storagePoolLookupByName(name);
            boolean persistent = pool.isPersistent() == 1;   // a transient pool is gone once destroyed
            if (pool.isActive() == 1) {
                pool.destroy();
            }
            if (persistent) {
                pool.undefine();
            }
            return null;
        });
    }

    @Override
    public List<VolumeInfo> listVolumes(String poolName) throws AimException {
        Names.existingName(poolName, "pool");
        return call("listing the volumes of storage pool " + poolName, connect -> {
            StoragePool pool = lookupPool(connect, poolName);
            requireActive(pool, poolName);
            return volumes(poolName, pool);
        });
    }

    @Override
    public VolumeInfo createVolume(String poolName, String name, long capacityBytes, long allocationBytes,
                                   String format) throws AimException {
        Names.existingName(poolName, "pool");
        Names.newVolumeName(name, "name");
        String fileFormat = format == null ? "" : format.toLowerCase(Locale.ROOT);
        if (!FORMATS.contains(fileFormat)) {
            throw new AimException(Status.Code.INVALID_ARGUMENT, "INVALID_VOLUME_FORMAT", "format \"" + format
                    + "\" is not supported (raw or qcow2)", Map.of("field", "format"), null);
        }
        if (capacityBytes <= 0) {
            throw PoolSpecs.sizeError("capacity_bytes", "must be greater than 0");
        }
        if (allocationBytes < 0 || allocationBytes > capacityBytes) {
            throw PoolSpecs.sizeError("allocation_bytes", "must be between 0 and capacity_bytes (" + capacityBytes + ")");
        }
        String xml = PoolXml.volume(name, capacityBytes, allocationBytes, fileFormat);
        return call("creating volume " + name + " in storage pool " + poolName, connect -> {
            StoragePool pool = lookupPool(connect, poolName);
            requireActive(pool, poolName);
            PoolXml.Definition definition = PoolXml.parsePool(pool.getXMLDesc(0));
            if (definition.type().startsWith("iscsi")) {
                throw new AimException(Status.Code.FAILED_PRECONDITION, "POOL_CANNOT_CREATE_VOLUMES", "storage pool "
                        + poolName + " is an " + definition.type() + " pool: its volumes are the target's LUNs,"
                        + " created on the SAN, not by the node", Map.of("pool", poolName), null);
            }
            if (Arrays.asList(pool.listVolumes()).contains(name)) {
                throw new AimException(Status.Code.ALREADY_EXISTS, "VOLUME_EXISTS", "volume " + name
                        + " already exists in storage pool " + poolName, Map.of("pool", poolName, "volume", name),
                        null);
            }
            return volumeInfo(poolName, pool.storageVolCreateXML(xml, 0));
        });
    }

    /** Deleting a volume that is already gone succeeds (the pool must exist). */
    @Override
    public void deleteVolume(String poolName, String name) throws AimException {
        Names.existingName(poolName, "pool");
        Names.existingName(name, "name");
        call("deleting volume " + name + " of storage pool " + poolName, connect -> {
            StoragePool pool = lookupPool(connect, poolName);
            requireActive(pool, poolName);
            if (!Arrays.asList(pool.listVolumes()).contains(name)) {
                return null;
            }
            pool.storageVolLookupByName(name).delete(0);
            return null;
        });
    }

    @Override
    public VolumeInfo resizeVolume(String poolName, String name, long capacityBytes, boolean allowShrink)
            throws AimException {
        Names.existingName(poolName, "pool");
        Names.existingName(name, "name");
        if (capacityBytes <= 0) {
            throw PoolSpecs.sizeError("capacity_bytes", "must be greater than 0");
        }
        return call("resizing volume " + name + " of storage pool " + poolName, connect -> {
            StorageVol volume = lookupVolume(connect, poolName, name);
            PoolXml.VolumeDefinition definition = PoolXml.parseVolume(volume.getXMLDesc(0));
            long current = definition.capacityBytes();
            if (capacityBytes < current && !allowShrink) {
                throw new AimException(Status.Code.FAILED_PRECONDITION, "VOLUME_SHRINK_REFUSED", "volume " + name
                        + " of storage pool " + poolName + " has " + current + " bytes; shrinking it to "
                        + capacityBytes + " bytes loses data and is refused unless shrinking is allowed",
                        Map.of("pool", poolName, "volume", name, "capacity_bytes", Long.toString(current)), null);
            }
            if (capacityBytes < current && capacityBytes < definition.allocationBytes()) {
                // libvirt refuses this with an "invalid argument"; the request is fine, the volume's state is not.
                throw new AimException(Status.Code.FAILED_PRECONDITION, "VOLUME_SHRINK_BELOW_ALLOCATION", "volume "
                        + name + " of storage pool " + poolName + " has " + definition.allocationBytes() + " bytes"
                        + " allocated; libvirt cannot shrink it below that (to " + capacityBytes + " bytes)",
                        Map.of("pool", poolName, "volume", name, "allocation_bytes",
                                Long.toString(definition.allocationBytes())), null);
            }
            if (capacityBytes != current) {
                volume.resize(capacityBytes, capacityBytes < current ? RESIZE_SHRINK : 0);
            }
            return volumeInfo(poolName, volume);
        });
    }

    /** Names of the pools (iscsi or iscsi-direct) whose source is this target. */
    public List<String> iscsiPoolsOf(String targetIqn) throws AimException {
        List<String> pools = new ArrayList<>();
        for (PoolXml.Definition definition : call("listing storage pools", this::definitions)) {
            if (definition.type().startsWith("iscsi") && Iqn.same(definition.device(), targetIqn)) {
                pools.add(definition.name());
            }
        }
        return pools;
    }

    /**
     * Lists a target's volumes (one per LUN) through a transient iscsi-direct pool that exists only during this
     * call; used when the node has no pool for the target.
     */
    public List<VolumeInfo> probeIscsiVolumes(Portal portal, String targetIqn, String initiatorIqn,
                                              Optional<Chap> chap) throws AimException {
        portal.requireReachable(PORTAL_CONNECT_TIMEOUT, "portal");
        return probe(portal, targetIqn, initiatorIqn, chap, "reading the LUNs of target " + targetIqn + " at "
                + portal);
    }

    /**
     * A throw-away login: a transient iscsi-direct pool (named {@link #PROBE_PREFIX}...), with CHAP through an
     * ephemeral secret (never on disk), both gone after the call. What a lost clean-up leaves (the agent stopped
     * while libvirt still held the call, libvirtd went away) is removed by {@link #removeProbeLeftovers}.
     */
    private List<VolumeInfo> probe(Portal portal, String targetIqn, String initiatorIqn, Optional<Chap> chap,
                                   String what) throws AimException {
        String name = PROBE_PREFIX + UUID.randomUUID().toString().substring(0, 8);
        Optional<String> usage = chap.map(c -> ChapSecrets.chapUsage(name));
        PoolSpec spec = new PoolSpec(name, PoolType.ISCSI_DIRECT, "", portal.host(), portal.port(), "", targetIqn,
                initiatorIqn, chap);
        String xml = PoolXml.pool(spec, name, usage);
        boolean late = false;
        probesRunning.add(name);
        try {
            if (usage.isPresent()) {
                callOnPool(name, what, connect -> ChapSecrets.defineProbeSecret(connect, usage.get(), chap.get(),
                        name));
            }
            return callOnPool(name, what, connect -> {
                StoragePool pool = connect.storagePoolCreateXML(xml, 0);
                try {
                    List<VolumeInfo> volumes = new ArrayList<>();
                    String[] names = pool.listVolumes();
                    Arrays.sort(names);
                    for (String volume : names) {
                        volumes.add(volumeInfo(name, pool.storageVolLookupByName(volume)));
                    }
                    return volumes;
                } finally {
                    pool.destroy();
                }
            });
        } catch (Deadline.Exceeded exceeded) {
            late = true;
            throw exceeded;
        } catch (AimException failure) {
            throw IscsiFailures.translateIscsi(failure, spec);
        } finally {
            if (usage.isPresent() || late) {
                // After a time-out, once the transient pool's call has returned (it destroys the pool itself).
                finishOnPool(name, "removing the temporary CHAP secret of " + name, late ? Duration.ZERO : timeout,
                        connect -> {
                            try {
                                if (usage.isPresent()) {
                                    ChapSecrets.remove(connect, usage.get());
                                }
                                return null;
                            } finally {
                                probesRunning.remove(name);
                            }
                        });
            } else {
                probesRunning.remove(name);
            }
        }
    }

    /**
     * Logs in with the CHAP credentials asked for an existing pool on a throw-away probe before they replace the
     * pool's password: the old password cannot be read back (the secret is private), and libvirt stops an
     * iscsi-direct pool whose refresh fails to log in. A refusal (or any failure of the check) leaves the pool and
     * its secret as they were.
     */
    private void checkCredentials(PoolXml.Definition existing, PoolSpec spec) throws AimException {
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

    /**
     * Asks for the removal of what probes of an earlier run of the agent left in libvirtd: transient pools named
     * {@link #PROBE_PREFIX}... and their CHAP secrets. Runs in the background on a storage thread as soon as libvirt
     * is there (now, or at the first call that finds it), once; probes of this process are left alone.
     */
    public void removeProbeLeftovers() {
        sweepWanted.set(true);
        libvirt.get().ifPresent(this::startSweep);
    }

    private void startSweep(LibvirtAccess access) {
        if (!sweepWanted.compareAndSet(true, false)) {
            return;
        }
        String what = "removing the temporary storage pools and CHAP secrets earlier probes left in libvirt";
        try {
            deadline.finish(what, SWEEP_LANE, Duration.ZERO, () -> {
                try {
                    return access.call(this::sweepProbeLeftovers);
                } catch (AimException failure) {
                    if (failure.code() == Status.Code.UNAVAILABLE) {
                        sweepWanted.set(true);   // libvirtd not reachable yet: again at the next call that reaches it
                    }
                    throw failure;
                }
            });
        } catch (IllegalStateException stopped) {
            // the module is stopping
        }
    }

    private Void sweepProbeLeftovers(Connect connect) throws LibvirtException {
        for (String name : connect.listStoragePools()) {
            if (!name.startsWith(PROBE_PREFIX) || probesRunning.contains(name)) {
                continue;
            }
            try {
                StoragePool pool = connect.storagePoolLookupByName(name);
                if (pool.isPersistent() != 1) {   // probes' pools are transient: gone once destroyed
                    pool.destroy();
                    LOG.info("removed the temporary storage pool {} an earlier probe left in libvirt", name);
                }
            } catch (LibvirtException gone) {
                LOG.debug("temporary storage pool {}: {}", name, gone.getMessage());
            }
        }
        Set<String> pools = poolNames(connect);
        String prefix = ChapSecrets.chapUsage(PROBE_PREFIX);
        for (String uuid : connect.listSecrets()) {
            try {
                Secret secret = connect.secretLookupByUUIDString(uuid);
                String usage = secret.getUsageID();
                if (usage == null || !usage.startsWith(prefix)) {
                    continue;
                }
                String probe = usage.substring(ChapSecrets.USAGE_PREFIX.length());
                // A pool of that name that still exists is no probe's (a legacy pool named like one): its secret.
                if (!probesRunning.contains(probe) && !pools.contains(probe)) {
                    secret.undefine();
                    LOG.info("removed the CHAP secret {} an earlier probe left in libvirt", usage);
                }
            } catch (LibvirtException gone) {
                LOG.debug("libvirt secret {}: {}", uuid, gone.getMessage());
            }
        }
        return null;
    }

    @Override
    public void close() {
        deadline.close();
    }

    /** A libvirt call that reads or works on volumes; libvirt itself guards a pool against changes meanwhile. */
    private <T> T call(String what, LibvirtAccess.LibvirtCall<T> work) throws AimException {
        LibvirtAccess access = access(what);
        return deadline.run(what, timeout, () -> access.call(work));
    }

    /**
     * A call that creates, starts, refreshes or deletes a pool: serialized with every other such call on the same
     * pool, so that nothing (a clean-up above all) runs beside a call that timed out but goes on in libvirt.
     */
    private <T> T callOnPool(String pool, String what, LibvirtAccess.LibvirtCall<T> work) throws AimException {
        LibvirtAccess access = access(what);
        return deadline.run(what, Optional.of(pool), timeout, () -> access.call(work));
    }

    /** Clean-up in the pool's lane, after what is already there; never dropped, failures logged. */
    private void finishOnPool(String pool, String what, Duration wait, LibvirtAccess.LibvirtCall<?> work) {
        deadline.finish(what, pool, wait, () -> access(what).call(work));
    }

    private LibvirtAccess access(String what) throws AimException {
        LibvirtAccess access = libvirt.get().orElseThrow(() -> new AimException(Status.Code.UNAVAILABLE,
                "LIBVIRT_NOT_AVAILABLE", what + ": the libvirt connection is not available (is aim-libvirt loaded"
                + " and libvirtd running?)", Map.of(), null));
        if (sweepWanted.get()) {
            startSweep(access);
        }
        return access;
    }

    private List<PoolXml.Definition> definitions(Connect connect) throws LibvirtException {
        List<PoolXml.Definition> definitions = new ArrayList<>();
        for (String name : poolNames(connect)) {
            StoragePool pool = connect.storagePoolLookupByName(name);
            definitions.add(PoolXml.parsePool(pool.getXMLDesc(0)));
        }
        return definitions;
    }

    private static Set<String> poolNames(Connect connect) throws LibvirtException {
        Set<String> names = new LinkedHashSet<>(Arrays.asList(connect.listStoragePools()));
        names.addAll(Arrays.asList(connect.listDefinedStoragePools()));
        return names;
    }

    private static StoragePool lookupPool(Connect connect, String name) throws LibvirtException, AimException {
        if (!poolNames(connect).contains(name)) {
            throw new AimException(Status.Code.NOT_FOUND, "POOL_NOT_FOUND", "storage pool " + name
                    + " does not exist", Map.of("pool", name), null);
        }
        return connect.storagePoolLookupByName(name);
    }

    private static StorageVol lookupVolume(Connect connect, String poolName, String name)
            throws LibvirtException, AimException {
        StoragePool pool = lookupPool(connect, poolName);
        requireActive(pool, poolName);
        if (!Arrays.asList(pool.listVolumes()).contains(name)) {
            throw new AimException(Status.Code.NOT_FOUND, "VOLUME_NOT_FOUND", "volume " + name
                    + " does not exist in storage pool " + poolName, Map.of("pool", poolName, "volume", name), null);
        }
        return pool.storageVolLookupByName(name);
    }

    private static void requireActive(StoragePool pool, String name) throws LibvirtException, AimException {
        if (pool.isActive() != 1) {
            throw new AimException(Status.Code.FAILED_PRECONDITION, "POOL_NOT_ACTIVE", "storage pool " + name
                    + " is not active (started)", Map.of("pool", name), null);
        }
    }

    private static List<VolumeInfo> volumes(String poolName, StoragePool pool) throws LibvirtException {
        List<VolumeInfo> volumes = new ArrayList<>();
        String[] names = pool.listVolumes();
        Arrays.sort(names);
        for (String name : names) {
            volumes.add(volumeInfo(poolName, pool.storageVolLookupByName(name)));
        }
        return volumes;
    }

    private static PoolInfo info(StoragePool pool) throws LibvirtException {
        PoolXml.Definition definition = PoolXml.parsePool(pool.getXMLDesc(0));
        org.libvirt.StoragePoolInfo info = pool.getInfo();
        boolean active = pool.isActive() == 1;
        return new PoolInfo(definition.name(), definition.uuid(), definition.poolType().orElseThrow(), active,
                active ? info.capacity : 0, active ? info.allocation : 0, active ? info.available : 0,
                definition.targetPath(), definition.sourceHost(), definition.source());
    }

    private static VolumeInfo volumeInfo(String poolName, StorageVol volume) throws LibvirtException {
        PoolXml.VolumeDefinition definition = PoolXml.parseVolume(volume.getXMLDesc(0));
        return new VolumeInfo(poolName, definition.name(), definition.key(), definition.path(), definition.format(),
                definition.capacityBytes(), definition.allocationBytes());
    }

    /** Same kind of pool on the same source: same folder, same NFS export, or same portal and target. */
    private static boolean sameSource(PoolXml.Definition existing, PoolSpec spec) {
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
    private static void requireSameAuth(PoolXml.Definition existing, PoolSpec spec) throws AimException {
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
        throw new AimException(Status.Code.FAILED_PRECONDITION, "POOL_AUTH_CONFLICT", "storage pool "
                + existing.name() + " (" + describe(existing) + ") already exists, but " + why + "; AIM does not"
                + " change the authentication of an existing pool: delete the pool and create it again, or ask with"
                + " the pool's own authentication", Map.of("pool", existing.name(), "field", "chap"), null);
    }

    /**
     * An existing iSCSI pool is reused only for the initiator it logs in with: the same IQN (without regard to
     * case), or none on both sides (a kernel pool with the node's own name). A pool's initiator cannot change
     * without restarting it, so another one is refused rather than dropped.
     */
    private static void requireSameInitiator(PoolXml.Definition existing, PoolSpec spec) throws AimException {
        String has = existing.initiatorIqn();
        String asked = spec.initiatorIqn() == null ? "" : spec.initiatorIqn();
        if (has.isEmpty() && asked.isEmpty() || !has.isEmpty() && !asked.isEmpty() && Iqn.same(has, asked)) {
            return;
        }
        throw new AimException(Status.Code.FAILED_PRECONDITION, "POOL_INITIATOR_CONFLICT", "storage pool "
                + existing.name() + " (" + describe(existing) + ") already exists, but it logs in as "
                + (has.isEmpty() ? "the node's own initiator (no initiator in the pool)" : "initiator " + has)
                + " and " + (asked.isEmpty() ? "the node's own initiator" : "initiator " + asked) + " was asked for;"
                + " AIM does not change the initiator of an existing pool: delete the pool and create it again, or"
                + " ask with the pool's own initiator", Map.of("pool", existing.name(), "field", "initiator_iqn"),
                null);
    }

    private static boolean samePath(String first, String second) {
        return !first.isEmpty() && Path.of(first).normalize().equals(Path.of(second).normalize());
    }

    private static String describe(PoolXml.Definition definition) {
        return switch (definition.type()) {
            case "dir" -> "folder " + definition.targetPath();
            case "netfs" -> definition.sourceHost() + ":" + definition.sourceDir();
            default -> definition.sourceHost().isEmpty() ? "target path " + definition.targetPath()
                    : "target " + definition.device() + " at " + definition.sourceHost() + ":"
                    + definition.sourcePort();
        };
    }

    /** Removes a pool that failed to come up, and its secret; waits for that at most {@code wait}. */
    private void undefineAfterFailure(String name, Duration wait) {
        finishOnPool(name, "removing storage pool " + name + " after a failed start", wait, connect -> {
            if (poolNames(connect).contains(name)) {
                StoragePool pool = connect.storagePoolLookupByName(name);
                if (pool.isActive() == 1) {
                    pool.destroy();
                }
                pool.undefine();
            }
            ChapSecrets.remove(connect, ChapSecrets.chapUsage(name));
            return null;
        });
    }
}
