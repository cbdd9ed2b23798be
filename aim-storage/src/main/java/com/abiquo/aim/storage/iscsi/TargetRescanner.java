package com.abiquo.aim.storage.iscsi;

import static java.util.Objects.requireNonNull;

import com.abiquo.aim.core.command.CommandResult;
import com.abiquo.aim.core.error.AimException;
import com.abiquo.aim.core.iscsi.Iqn;
import com.abiquo.aim.core.spi.StoragePoolOperations.VolumeInfo;
import com.abiquo.aim.storage.StorageErrorReason;
import io.grpc.Status;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Rescans targets the way the node reaches them: the kernel initiator's sessions ({@code iscsiadm -R}) and libvirt
 * pools whose source is the target (which covers iscsi-direct). Each target gets its own report; the original AIM
 * ignored failures, this one says which path failed and why.
 */
public final class TargetRescanner {
    /** How long a rescan waits for the kernel to attach new disks' block devices. */
    static final Duration DEVICE_SETTLE = Duration.ofSeconds(5);
    private final KernelInitiator kernel;
    private final LibvirtPools pools;

    public enum Outcome { RESCANNED, PARTIAL, FAILED, UNKNOWN_TARGET }

    public record KernelRescan(boolean rescanned, String error, List<KernelInitiator.Lun> luns) {
    }

    public record PoolRescan(String pool, boolean refreshed, String error, List<VolumeInfo> volumes) {
    }

    /** @param poolsError why pools could not be looked at (libvirt unavailable), empty when they could */
    public record TargetRescan(String targetIqn, Outcome outcome, Optional<KernelRescan> kernel,
                               List<PoolRescan> pools, String poolsError) {
    }

    private final RescanMetrics metrics = new RescanMetrics();

    public TargetRescanner(KernelInitiator kernel, LibvirtPools pools) {
        this.kernel = requireNonNull(kernel, "kernel is null");
        this.pools = requireNonNull(pools, "pools is null");
    }

    public List<TargetRescan> rescan(List<String> requested) throws AimException {
        if (requested.isEmpty()) {
            throw new AimException(Status.Code.INVALID_ARGUMENT, StorageErrorReason.NO_TARGETS,
                    "target_iqns is empty: name at least"
                    + " one target to rescan", Map.of("field", "target_iqns"), null);
        }
        List<String> targets = new ArrayList<>();
        for (int i = 0; i < requested.size(); i++) {
            String target = Iqn.require(requested.get(i), "target_iqns[" + i + "]");
            if (targets.stream().noneMatch(known -> Iqn.same(known, target))) {
                targets.add(target);
            }
        }
        List<KernelInitiator.Session> sessions = kernel.sessions();
        List<TargetRescan> results = new ArrayList<>();
        String libvirtProblem = "";
        for (String target : targets) {
            List<KernelInitiator.Session> ofTarget = sessions.stream()
                    .filter(session -> Iqn.same(session.targetIqn(), target)).toList();
            Optional<KernelRescan> kernelRescan = ofTarget.isEmpty() ? Optional.empty()
                    : Optional.of(rescanKernel(target, ofTarget));
            List<PoolRescan> poolRescans = new ArrayList<>();
            if (libvirtProblem.isEmpty()) {
                try {
                    for (String pool : pools.get().iscsiPoolsOf(target)) {
                        poolRescans.add(refresh(pool));
                    }
                } catch (AimException unavailable) {
                    libvirtProblem = unavailable.getMessage();
                }
            }
            String poolsError = libvirtProblem;
            results.add(new TargetRescan(target, outcome(kernelRescan, poolRescans, poolsError), kernelRescan,
                    List.copyOf(poolRescans), poolsError));
        }
        if (sessions.isEmpty() && !libvirtProblem.isEmpty()) {
            metrics.refused(targets.size());
            throw new AimException(Status.Code.UNAVAILABLE, StorageErrorReason.NO_INITIATOR_AVAILABLE,
                    "nothing can rescan: the kernel"
                    + " initiator has no iSCSI session and libvirt cannot be used (" + libvirtProblem + ")",
                    Map.of(), null);
        }
        if (results.stream().allMatch(result -> result.outcome() == Outcome.UNKNOWN_TARGET)) {
            metrics.refused(targets.size());
            throw new AimException(Status.Code.NOT_FOUND, StorageErrorReason.TARGET_NOT_KNOWN,
                    "the node knows none of the targets "
                    + String.join(", ", targets) + ": no kernel iSCSI session and no libvirt pool has it as its"
                    + " source", Map.of("targets", String.join(",", targets)), null);
        }
        results.forEach(result -> metrics.rescanned(result.outcome()));
        return results;
    }

    /** This rescanner's families for /metrics. */
    public RescanMetrics metrics() {
        return metrics;
    }

    private KernelRescan rescanKernel(String target, List<KernelInitiator.Session> sessions) {
        String error = "";
        try {
            CommandResult result = kernel.rescan(target);
            if (!result.succeeded()) {
                String output = result.stderr().isBlank() ? result.stdout() : result.stderr();
                error = "iscsiadm -m node -T " + target + " -R exited " + result.exitCode() + ": " + output.strip();
            }
        } catch (AimException failure) {
            error = failure.getMessage();
        }
        List<KernelInitiator.Lun> luns = new ArrayList<>();
        for (KernelInitiator.Session session : sessions) {
            try {
                luns.addAll(kernel.lunsAfterRescan(session, DEVICE_SETTLE));
            } catch (AimException failure) {
                error = error.isEmpty() ? failure.getMessage() : error + "; " + failure.getMessage();
            }
        }
        return new KernelRescan(error.isEmpty(), error, List.copyOf(luns));
    }

    private PoolRescan refresh(String pool) {
        try {
            return new PoolRescan(pool, true, "", pools.get().refreshAndListVolumes(pool));
        } catch (AimException failure) {
            return new PoolRescan(pool, false, failure.getMessage(), List.of());
        }
    }

    private static Outcome outcome(Optional<KernelRescan> kernel, List<PoolRescan> pools, String poolsError) {
        int done = 0;
        int failed = poolsError.isEmpty() ? 0 : 1;
        if (kernel.isPresent()) {
            if (kernel.get().rescanned()) {
                done++;
            } else {
                failed++;
            }
        }
        for (PoolRescan pool : pools) {
            if (pool.refreshed()) {
                done++;
            } else {
                failed++;
            }
        }
        if (done == 0 && failed == 0) {
            return Outcome.UNKNOWN_TARGET;
        }
        return failed == 0 ? Outcome.RESCANNED : done == 0 ? Outcome.FAILED : Outcome.PARTIAL;
    }
}
