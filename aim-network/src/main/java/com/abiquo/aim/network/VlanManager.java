package com.abiquo.aim.network;

import static java.util.Objects.requireNonNull;

import com.abiquo.aim.core.error.AimException;
import com.abiquo.aim.core.module.HealthReporter;
import java.util.List;

/**
 * The VLAN service's logic: 802.1Q sub-interfaces enslaved to Linux bridges, kept in step with their files
 * (ifcfg files or NetworkManager keyfiles, {@link NetworkFiles}).
 * Knows nothing of gRPC. Every operation reads the links back with {@code ip -json}, changes only what is missing,
 * and undoes its own changes when a later step fails.
 *
 * <p>This class is the entry point and holds the results' types; each operation is its own class
 * ({@link VlanCreation}, {@link VlanDeletion}, {@link VlanInventory}, {@link VlanRestore}, {@link RequirementsProbe}),
 * and every call but the checks first goes through {@link NamespaceReadiness}. Create, delete and restore share one
 * set of per-interface locks.
 */
public final class VlanManager {
    public static final String SERVICE = "abiquo.aim.v1.VlanService";

    public record CreateResult(VlanState vlan, List<VlanChange> changes) {
        public CreateResult {
            changes = List.copyOf(changes);
        }
    }

    public record DeleteResult(List<VlanChange> changes, List<String> detachedPorts, String bridgeKept) {
        public DeleteResult {
            changes = List.copyOf(changes);
            detachedPorts = List.copyOf(detachedPorts);
        }
    }

    public enum CheckKind { IP_TOOL, NAMESPACE, VLAN_SUPPORT, BRIDGE_SUPPORT, SCRIPTS_FOLDER, IFUP_TOOLS }

    public record Check(CheckKind kind, boolean ok, String detail) {
    }

    public record Listing(List<VlanState> vlans, List<BridgeState> bridges) {
        public Listing {
            vlans = List.copyOf(vlans);
            bridges = List.copyOf(bridges);
        }
    }

    public record Restored(String device, String bridge, List<VlanChange> changes, String error) {
        public Restored {
            changes = List.copyOf(changes);
        }
    }

    public record RestoreResult(List<Restored> results, List<String> unreadableFiles) {
        public RestoreResult {
            results = List.copyOf(results);
            unreadableFiles = List.copyOf(unreadableFiles);
        }
    }

    /** Where initscripts live when [vlan] useIfup is on: the programs and how they are called. */
    public record Ifup(boolean enabled, String ifupProgram, String ifdownProgram) {
        public static Ifup off() {
            return new Ifup(false, "ifup", "ifdown");
        }
    }

    private final NamespaceReadiness readiness;
    private final VlanCreation creation;
    private final VlanDeletion deletion;
    private final VlanInventory inventory;
    private final VlanRestore restore;
    private final RequirementsProbe probe;
    private final VlanMetrics metrics = new VlanMetrics();

    public VlanManager(IpTool ip, NetworkFiles files, HealthReporter health, Ifup ifup) {
        requireNonNull(ip, "ip is null");
        requireNonNull(files, "files is null");
        requireNonNull(health, "health is null");
        requireNonNull(ifup, "ifup is null");
        InterfaceLocks locks = new InterfaceLocks();
        IfupScripts scripts = new IfupScripts(ip, ifup);
        VlanPreconditions preconditions = new VlanPreconditions(ip, files);
        this.creation = new VlanCreation(ip, files, scripts, locks, preconditions);
        this.deletion = new VlanDeletion(ip, files, scripts, locks, preconditions);
        this.inventory = new VlanInventory(ip, files);
        this.restore = new VlanRestore(ip, files, locks, creation);
        this.readiness = new NamespaceReadiness(ip, health, restore);
        this.probe = new RequirementsProbe(ip, files, ifup);
    }

    /**
     * Sets the service's health and, when asked, re-creates what the files describe. Never fails: a missing
     * namespace makes the service NOT_SERVING, and the restore then runs on the first call that finds it.
     */
    public void startUp(boolean restoreOnStart) {
        readiness.startUp(restoreOnStart);
    }

    public CreateResult create(VlanSpec spec) throws AimException {
        return metrics.count("create", () -> {
            readiness.ensureReady();
            return creation.create(spec);
        });
    }

    public DeleteResult delete(VlanSpec spec, boolean force) throws AimException {
        return metrics.count("delete", () -> {
            readiness.ensureReady();
            return deletion.delete(spec, force);
        });
    }

    public Listing list() throws AimException {
        readiness.ensureReady();
        return inventory.list();
    }

    /** Re-creates, from the files, every link that is missing. One VLAN failing does not stop the others. */
    public RestoreResult restore() throws AimException {
        return metrics.count("restore", () -> {
            readiness.ensureReady();
            return restore.restore();
        });
    }

    /** This manager's families for /metrics. */
    public VlanMetrics metrics() {
        return metrics;
    }

    /** What the node lacks, requirement by requirement. Probes with a short-lived bridge; changes nothing else. */
    public List<Check> check() {
        return probe.check();
    }
}
