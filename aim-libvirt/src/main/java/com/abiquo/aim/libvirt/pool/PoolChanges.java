package com.abiquo.aim.libvirt.pool;

import com.abiquo.aim.libvirt.LibvirtErrorReason;
import static java.util.Objects.requireNonNull;

import com.abiquo.aim.core.error.AimException;
import com.abiquo.aim.core.iscsi.Portal;
import com.abiquo.aim.core.spi.StoragePoolOperations.PoolDeletion;
import com.abiquo.aim.core.spi.StoragePoolOperations.PoolInfo;
import com.abiquo.aim.core.spi.StoragePoolOperations.PoolOutcome;
import com.abiquo.aim.core.spi.StoragePoolOperations.PoolSpec;
import com.abiquo.aim.core.spi.StoragePoolOperations.PoolType;
import com.abiquo.aim.libvirt.connection.Handles;
import io.grpc.Context;
import io.grpc.Status;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.ReentrantLock;

/**
 * Creating (or reusing) and deleting pools. Multi-step operations (define, build, start) are separate libvirt calls
 * so that a failure is mapped from libvirt's own error before any clean-up runs; every step runs in the pool's lane
 * ({@link LibvirtCalls#callOnPool}), so the clean-up after a call that timed out waits for it instead of racing it.
 */
final class PoolChanges {
    private final LibvirtCalls calls;
    private final IscsiProbes probes;
    /**
     * Pool creations and deletions take turns, node-wide: a creation decides from the list of all pools (same name,
     * same source under another name) and must not race another creation or a deletion that changes that list.
     * Waiting for the turn counts against the call's deadline ({@link #poolChange}).
     */
    private final ReentrantLock poolChanges = new ReentrantLock(true);
    /** What has the turn now, for the message of a call that could not have it in time. */
    private volatile String poolChangeRunning = "";

    PoolChanges(LibvirtCalls calls, IscsiProbes probes) {
        this.calls = requireNonNull(calls, "calls is null");
        this.probes = requireNonNull(probes, "probes is null");
    }

    PoolOutcome createOrRefresh(PoolSpec requested) throws AimException {
        PoolSpec spec = PoolSpecs.validate(requested);
        // One creation at a time: two concurrent requests for the same pool must not both define it.
        return poolChange("creating storage pool " + spec.name(), spec.name(), () -> createOrRefreshValid(spec));
    }

    PoolDeletion deletePool(String name) throws AimException {
        Names.existingPoolName(name, "pool");
        return poolChange("deleting storage pool " + name, name, () -> deleteValidPool(name));
    }

    /**
     * Runs a pool creation or deletion when it has its turn ({@link #poolChanges}), waiting for it at most the
     * call's time: {@code [storage] commandTimeoutSeconds}, or less when the gRPC call's own deadline is nearer.
     * A call that cannot have its turn in time is DEADLINE_EXCEEDED naming itself, the pool and what holds the turn.
     */
    private <T> T poolChange(String what, String pool, StorageBulkhead.Work<T> work) throws AimException {
        Duration timeout = calls.timeout();
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
            throw new AimException(Status.Code.CANCELLED, LibvirtErrorReason.STORAGE_CALL_INTERRUPTED, what + " was interrupted",
                    Map.of("pool", pool), interrupted);
        }
        if (!turn) {
            String running = poolChangeRunning;
            throw new StorageBulkhead.Exceeded(what + " did not start within " + (callersDeadline ? "the call's deadline"
                    : StorageBulkhead.describe(timeout) + " ([storage] commandTimeoutSeconds)") + ": storage pools are"
                    + " created and deleted one at a time, and " + (running.isEmpty()
                    ? "another creation or deletion" : running) + " has not finished", Map.of("pool", pool), false);
        }
        // A change never runs another inside it (the work calls libvirt, not poolChange), so there is no outer
        // change to restore: the name is cleared while the turn is still held, before the next one takes it.
        poolChangeRunning = what;
        try {
            return work.run();
        } finally {
            poolChangeRunning = "";
            poolChanges.unlock();
        }
    }

    private PoolOutcome createOrRefreshValid(PoolSpec spec) throws AimException {
        if (PoolSpecs.isIscsi(spec.type())) {
            new Portal(spec.sourceHost(), spec.sourcePort()).requireReachable(
                    LibvirtStoragePools.PORTAL_CONNECT_TIMEOUT, "source_host");
        }
        String what = "creating storage pool " + spec.name();
        List<PoolXml.Definition> existing = calls.call(what, PoolHandles::definitions);
        Optional<PoolXml.Definition> sameName = existing.stream().filter(d -> d.name().equals(spec.name())).findFirst();
        if (sameName.isPresent() && !PoolReuse.sameSource(sameName.get(), spec)) {
            PoolXml.Definition other = sameName.get();
            throw new AimException(Status.Code.ALREADY_EXISTS, LibvirtErrorReason.POOL_EXISTS_WITH_OTHER_SOURCE, "storage pool "
                    + spec.name() + " already exists as a " + other.type() + " pool with another source ("
                    + PoolReuse.describe(other) + ")", Map.of("pool", spec.name()), null);
        }
        Optional<PoolXml.Definition> reuse = sameName.isPresent() ? sameName
                : existing.stream().filter(d -> PoolReuse.sameSource(d, spec)).findFirst();
        if (reuse.isPresent()) {
            return new PoolOutcome(refreshExisting(reuse.get(), spec), false);
        }
        return new PoolOutcome(create(spec), true);
    }

    /** Reuses a pool for the same source: started, or refreshed when it runs; a new CHAP password replaces the old. */
    private PoolInfo refreshExisting(PoolXml.Definition existing, PoolSpec spec) throws AimException {
        String name = existing.name();
        String what = "creating storage pool " + spec.name();
        PoolReuse.requireSameAuth(existing, spec);
        PoolReuse.requireSameInitiator(existing, spec);
        if (spec.chap().isPresent()) {
            probes.checkCredentials(existing, spec);
        }
        try {
            if (spec.chap().isPresent()) {
                // Same user on a pool AIM made with CHAP, credentials checked: a new password replaces the old.
                calls.callOnPool(name, what, connect -> ChapSecrets.ensureChapSecret(connect,
                        ChapSecrets.chapUsage(name), spec.chap().get(), name));
            }
            return calls.callOnPool(name, "refreshing storage pool " + name, connect ->
                    Handles.using(connect.storagePoolLookupByName(name), pool -> {
                        if (pool.isActive() == 1) {
                            pool.refresh(0);
                        } else {
                            pool.create(0);
                        }
                        return PoolHandles.info(pool);
                    }));
        } catch (AimException failure) {
            throw IscsiFailures.translateIscsi(failure, spec);
        }
    }

    /** Defines, builds (dir, netfs) and starts a new pool; one that fails to come up is removed again. */
    private PoolInfo create(PoolSpec spec) throws AimException {
        String what = "creating storage pool " + spec.name();
        Optional<String> chapUsage = spec.chap().map(chap -> ChapSecrets.chapUsage(spec.name()));
        String xml = PoolXml.pool(spec, spec.name(), chapUsage);
        try {
            if (chapUsage.isPresent()) {
                calls.callOnPool(spec.name(), what, connect -> ChapSecrets.ensureChapSecret(connect, chapUsage.get(),
                        spec.chap().get(), spec.name()));
            }
            calls.callOnPool(spec.name(), what, connect -> connect.storagePoolDefineXML(xml, 0).free());
            return calls.callOnPool(spec.name(), what, connect ->
                    Handles.using(connect.storagePoolLookupByName(spec.name()), pool -> {
                        // Building a dir or netfs pool makes its folder (netfs: the mount point, which mount needs).
                        if (spec.type() == PoolType.DIR || spec.type() == PoolType.NETFS) {
                            pool.build(0);
                        }
                        pool.create(0);
                        pool.setAutostart(1);
                        return PoolHandles.info(pool);
                    }));
        } catch (StorageBulkhead.Exceeded late) {
            // libvirt goes on with the call: the clean-up waits for it in the pool's lane instead of racing it.
            undefineAfterFailure(spec.name(), Duration.ZERO);
            throw new AimException(late.code(), late.reason(), late.getMessage() + "; the pool is removed again once"
                    + " libvirt returns", late.metadata(), late);
        } catch (AimException failure) {
            undefineAfterFailure(spec.name(), calls.timeout());
            throw IscsiFailures.translateIscsi(failure, spec);
        }
    }

    private PoolDeletion deleteValidPool(String name) throws AimException {
        PoolDeletion deletion;
        try {
            deletion = deleteDefinition(name);
        } catch (StorageBulkhead.Exceeded late) {
            // The secret goes once libvirt has finished the delete, and only if the pool is gone by then.
            calls.finishOnPool(name, "removing the CHAP secret of deleted storage pool " + name, Duration.ZERO,
                    connect -> {
                        if (!PoolHandles.poolNames(connect).contains(name)) {
                            ChapSecrets.remove(connect, ChapSecrets.chapUsage(name));
                        }
                        return null;
                    });
            throw late;
        }
        calls.callOnPool(name, "deleting the CHAP secret of storage pool " + name, connect -> {
            ChapSecrets.remove(connect, ChapSecrets.chapUsage(name));
            return null;
        });
        return deletion;
    }

    /**
     * Stops (unless a running domain would lose its disks: {@link PoolUsers}) and undefines the pool. Never
     * virStoragePoolDelete: the volumes' data stays on the target.
     */
    private PoolDeletion deleteDefinition(String name) throws AimException {
        return calls.callOnPool(name, "deleting storage pool " + name, connect -> {
            if (!PoolHandles.poolNames(connect).contains(name)) {
                return new PoolDeletion(false, false);
            }
            return Handles.using(connect.storagePoolLookupByName(name), pool -> {
                boolean persistent = pool.isPersistent() == 1;   // a transient pool is gone once destroyed
                boolean active = pool.isActive() == 1;
                if (active) {
                    PoolUsers.requireStoppable(connect, name, pool, PoolXml.parsePool(pool.getXMLDesc(0)));
                    pool.destroy();
                }
                if (persistent) {
                    pool.undefine();
                }
                return new PoolDeletion(true, active);
            });
        });
    }

    /** Removes a pool that failed to come up, and its secret; waits for that at most {@code wait}. */
    private void undefineAfterFailure(String name, Duration wait) {
        calls.finishOnPool(name, "removing storage pool " + name + " after a failed start", wait, connect -> {
            if (PoolHandles.poolNames(connect).contains(name)) {
                Handles.using(connect.storagePoolLookupByName(name), pool -> {
                    if (pool.isActive() == 1) {
                        pool.destroy();
                    }
                    pool.undefine();
                    return null;
                });
            }
            ChapSecrets.remove(connect, ChapSecrets.chapUsage(name));
            return null;
        });
    }
}
