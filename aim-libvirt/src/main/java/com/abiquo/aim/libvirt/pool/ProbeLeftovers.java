package com.abiquo.aim.libvirt.pool;

import static java.util.Objects.requireNonNull;

import com.abiquo.aim.core.error.AimException;
import com.abiquo.aim.libvirt.connection.Handles;
import com.abiquo.aim.libvirt.connection.LibvirtAccess;
import io.grpc.Status;
import java.time.Duration;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Supplier;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.Logger;
import org.libvirt.Connect;
import org.libvirt.LibvirtException;

/**
 * What probes ({@link IscsiProbes}) of an earlier run of the agent left in libvirtd when their clean-up was lost
 * (the agent stopped while libvirt still held the call, libvirtd went away): transient pools named
 * {@link LibvirtStoragePools#PROBE_PREFIX}... and their CHAP secrets. One sweep removes them in the background, as
 * soon as libvirt is there; the probes of this process, which it is told of, are left alone.
 */
final class ProbeLeftovers {
    /** The lane of the sweep: not a pool name (pool names have no '/'). */
    private static final String SWEEP_LANE = "/probe-leftovers";
    // LibvirtStoragePools's logger, as before this class was split out of it: operators' log filters keep matching
    private static final Logger LOG = LogManager.getLogger(LibvirtStoragePools.class);

    private final Supplier<Optional<LibvirtAccess>> libvirt;
    private final StorageBulkhead bulkhead;
    /** Probes of this process that are running or whose clean-up has not run yet: the sweep leaves them alone. */
    private final Set<String> probesRunning = ConcurrentHashMap.newKeySet();
    /** Whether the sweep is asked for and has not started (again, after libvirt was away). */
    private final AtomicBoolean sweepWanted = new AtomicBoolean();

    ProbeLeftovers(Supplier<Optional<LibvirtAccess>> libvirt, StorageBulkhead bulkhead) {
        this.libvirt = requireNonNull(libvirt, "libvirt is null");
        this.bulkhead = requireNonNull(bulkhead, "bulkhead is null");
    }

    /** A probe of this process starts: its pool and secret are not leftovers. */
    void probeStarted(String name) {
        probesRunning.add(name);
    }

    /** A probe's clean-up has run. */
    void probeFinished(String name) {
        probesRunning.remove(name);
    }

    /** Asks for the sweep: it starts on a storage thread now if libvirt is there, else at the next call finding it. */
    void remove() {
        sweepWanted.set(true);
        libvirt.get().ifPresent(this::startSweep);
    }

    /** Starts the sweep when it is asked for and has not started; for every connection a storage call gets. */
    void sweepIfWanted(LibvirtAccess access) {
        if (sweepWanted.get()) {
            startSweep(access);
        }
    }

    private void startSweep(LibvirtAccess access) {
        if (!sweepWanted.compareAndSet(true, false)) {
            return;
        }
        String what = "removing the temporary storage pools and CHAP secrets earlier probes left in libvirt";
        try {
            bulkhead.finish(what, SWEEP_LANE, Duration.ZERO, () -> {
                try {
                    return access.act(what, this::sweep);
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

    private Void sweep(Connect connect) throws LibvirtException, AimException {
        for (String name : connect.listStoragePools()) {
            if (!name.startsWith(LibvirtStoragePools.PROBE_PREFIX) || probesRunning.contains(name)) {
                continue;
            }
            try {
                Handles.using(connect.storagePoolLookupByName(name), pool -> {
                    if (pool.isPersistent() != 1) {   // probes' pools are transient: gone once destroyed
                        pool.destroy();
                        LOG.info("removed the temporary storage pool {} an earlier probe left in libvirt", name);
                    }
                    return null;
                });
            } catch (LibvirtException gone) {
                LOG.debug("temporary storage pool {}: {}", name, gone.getMessage());
            }
        }
        Set<String> pools = PoolHandles.poolNames(connect);
        String prefix = ChapSecrets.chapUsage(LibvirtStoragePools.PROBE_PREFIX);
        for (String uuid : ChapSecrets.secretUuids(connect)) {
            try {
                Handles.using(connect.secretLookupByUUIDString(uuid), secret -> {
                    String usage = secret.getUsageID();
                    if (usage == null || !usage.startsWith(prefix)) {
                        return null;
                    }
                    String probe = usage.substring(ChapSecrets.USAGE_PREFIX.length());
                    // A pool of that name that still exists is no probe's (a legacy pool named like one): its secret.
                    if (!probesRunning.contains(probe) && !pools.contains(probe)) {
                        secret.undefine();
                        LOG.info("removed the CHAP secret {} an earlier probe left in libvirt", usage);
                    }
                    return null;
                });
            } catch (LibvirtException gone) {
                LOG.debug("libvirt secret {}: {}", uuid, gone.getMessage());
            }
        }
        return null;
    }
}
