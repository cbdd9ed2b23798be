package com.abiquo.aim.network;

import static java.util.Objects.requireNonNull;

import com.abiquo.aim.core.error.AimException;
import com.abiquo.aim.network.VlanManager.CreateResult;
import com.abiquo.aim.network.VlanManager.Restored;
import com.abiquo.aim.network.VlanManager.RestoreResult;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.Logger;

/**
 * Re-creates, from the ifcfg files or keyfiles, every link that is missing (at start-up, when the namespace comes
 * back, and on request). Each VLAN is completed by {@link VlanCreation} under that VLAN's locks; one failing does
 * not stop the others.
 */
final class VlanRestore {
    // VlanManager's logger, as before this class was split out of it: operators' log filters keep matching
    private static final Logger LOG = LogManager.getLogger(VlanManager.class);

    private final IpTool ip;
    private final NetworkFiles files;
    private final InterfaceLocks locks;
    private final VlanCreation creation;

    VlanRestore(IpTool ip, NetworkFiles files, InterfaceLocks locks, VlanCreation creation) {
        this.ip = requireNonNull(ip, "ip is null");
        this.files = requireNonNull(files, "files is null");
        this.locks = requireNonNull(locks, "locks is null");
        this.creation = requireNonNull(creation, "creation is null");
    }

    RestoreResult restore() throws AimException {
        List<Restored> results = new ArrayList<>();
        List<String> unreadable = new ArrayList<>();
        // one reading for the common case (everything there); a VLAN that lacks something is re-read under its locks
        Map<String, LinkInfo> snapshot = ip.links();
        for (NetworkFiles.VlanFile file : files.vlanFiles()) {
            if (file.spec().isEmpty()) {
                unreadable.add(file.fileName() + ": " + file.problem());
                LOG.warn("Restore: {} skipped: {}", files.folder().resolve(file.fileName()), file.problem());
                continue;
            }
            VlanSpec spec = file.spec().get();
            try (InterfaceLocks.Held held = locks.lock(spec.parent(), spec.device(), spec.bridge())) {
                String operation = "restore " + spec + " from " + file.fileName();
                if (files.read(file.fileName()).isEmpty()) {
                    continue;   // deleted by a call that held the locks before us: nothing to restore
                }
                LinkInfo parent = snapshot.get(spec.parent());
                boolean complete = VlanState.of(spec, snapshot, file.fileName()).complete() && parent != null
                        && parent.adminUp();
                CreateResult created = creation.createLocked(spec, operation, complete ? snapshot : ip.links());
                results.add(new Restored(spec.device(), spec.bridge(), created.changes(), ""));
                if (created.changes().isEmpty()) {
                    LOG.info("Restore: {} is complete, nothing to do", spec);
                } else {
                    LOG.info("Restore: {}: {}", spec, created.changes());
                }
            } catch (AimException failure) {
                results.add(new Restored(spec.device(), spec.bridge(), List.of(), failure.getMessage()));
                LOG.error("Restore: {} failed: {}", spec, failure.getMessage());
            }
        }
        return new RestoreResult(results, unreadable);
    }

    /** {@link #restore} with a summary in the log instead of a result; never fails (start-up must go on). */
    void restoreAndLog() {
        try {
            RestoreResult result = restore();
            long changed = result.results().stream().filter(r -> !r.changes().isEmpty()).count();
            long failed = result.results().stream().filter(r -> !r.error().isEmpty()).count();
            LOG.info("Restore from {} in the {}: {} VLAN file(s), {} re-created, {} already complete, {} failed, {} "
                    + "unreadable", files.folder(), ip.where(), result.results().size(), changed,
                    result.results().size() - changed - failed, failed, result.unreadableFiles().size());
        } catch (AimException | RuntimeException failure) {
            LOG.error("Restore from {} failed: {}", files.folder(), failure.getMessage());
        }
    }
}
