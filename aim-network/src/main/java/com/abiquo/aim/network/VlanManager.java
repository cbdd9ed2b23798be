package com.abiquo.aim.network;

import static java.util.Objects.requireNonNull;

import com.abiquo.aim.core.error.AimException;
import com.abiquo.aim.core.module.HealthReporter;
import io.grpc.Status;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.atomic.AtomicBoolean;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.Logger;

/**
 * The VLAN service's logic: 802.1Q sub-interfaces enslaved to Linux bridges, kept in step with their ifcfg files.
 * Knows nothing of gRPC. Every operation reads the links back with {@code ip -json}, changes only what is missing,
 * and undoes its own changes when a later step fails.
 */
public final class VlanManager {
    public static final String SERVICE = "abiquo.aim.v1.VlanService";
    private static final Logger LOG = LogManager.getLogger(VlanManager.class);

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

    private final IpTool ip;
    private final IfcfgFiles files;
    private final HealthReporter health;
    private final Ifup ifup;
    private final KeyedLocks locks = new KeyedLocks();
    private final AtomicBoolean ready = new AtomicBoolean();
    private final AtomicBoolean restorePending = new AtomicBoolean();
    private volatile boolean restoreOnStart;

    public VlanManager(IpTool ip, IfcfgFiles files, HealthReporter health, Ifup ifup) {
        this.ip = requireNonNull(ip, "ip is null");
        this.files = requireNonNull(files, "files is null");
        this.health = requireNonNull(health, "health is null");
        this.ifup = requireNonNull(ifup, "ifup is null");
    }

    /**
     * Sets the service's health and, when asked, re-creates what the ifcfg files describe. Never fails: a missing
     * namespace makes the service NOT_SERVING, and the restore then runs on the first call that finds it.
     */
    public void startUp(boolean restoreOnStart) {
        this.restoreOnStart = restoreOnStart;
        if (!ip.namespaceExists()) {
            String why = "the " + ip.where() + " ([vlan] namespace) does not exist";
            health.notServing(SERVICE, why);
            restorePending.set(restoreOnStart);
            LOG.warn("VLAN service not serving: {}; create it with `ip netns add {}`{}", why,
                    ip.namespace().orElse(""), restoreOnStart ? " (VLANs will be restored once it exists)" : "");
            return;
        }
        ready.set(true);
        health.serving(SERVICE);
        if (restoreOnStart) {
            restoreAndLog();
        }
    }

    private void ensureReady() throws AimException {
        try {
            ip.requireNamespace();
        } catch (AimException missing) {
            if (ready.getAndSet(false)) {
                // a namespace made again is empty, like a node after a reboot: restore it when it is back
                restorePending.set(restoreOnStart);
                health.notServing(SERVICE, missing.getMessage());
                LOG.warn("VLAN service not serving: {}", missing.getMessage());
            }
            throw missing;
        }
        if (!ready.getAndSet(true)) {
            health.serving(SERVICE);
            LOG.info("VLAN service serving: the {} exists now", ip.where());
            if (restorePending.getAndSet(false)) {
                restoreAndLog();
            }
        }
    }

    // ---------------------------------------------------------------- create

    public CreateResult create(VlanSpec spec) throws AimException {
        ensureReady();
        // the parent too: create brings it up and its undo brings it down, which must not happen under another
        // create's finished VLAN on the same parent
        try (KeyedLocks.Held held = locks.lock(spec.parent(), spec.device(), spec.bridge())) {
            CreateResult result = createLocked(spec, "create " + spec);
            if (!result.changes().isEmpty()) {
                LOG.info("Created {}: {}", spec, result.changes());
            }
            return result;
        }
    }

    private CreateResult createLocked(VlanSpec spec, String operation) throws AimException {
        return createLocked(spec, operation, ip.links());
    }

    /** @param links the namespace's links as read under this VLAN's locks */
    private CreateResult createLocked(VlanSpec spec, String operation, Map<String, LinkInfo> links)
            throws AimException {
        String device = spec.device();
        String bridgeName = spec.bridge();
        LinkInfo parent = links.get(spec.parent());
        if (parent == null) {
            throw precondition("PARENT_INTERFACE_MISSING", operation + ": parent interface " + spec.parent()
                    + " does not exist in the " + ip.where(), "parent_interface");
        }
        LinkInfo bridge = links.get(bridgeName);
        if (bridge != null && !bridge.isBridge()) {
            throw precondition("BRIDGE_NAME_TAKEN", operation + ": \"" + bridgeName + "\" exists in the "
                    + ip.where() + " but is " + describe(bridge) + ", not a bridge", "bridge");
        }
        LinkInfo vlan = links.get(device);
        requireOurVlan(vlan, spec, operation);
        if (vlan != null && !vlan.master().isEmpty() && !vlan.master().equals(bridgeName)) {
            // moving it would cut the VMs of the other bridge off this VLAN
            throw precondition("VLAN_IN_OTHER_BRIDGE", operation + ": " + device + " is already in bridge "
                    + vlan.master() + "; delete that VLAN first", "bridge");
        }
        if (vlan == null) {
            for (LinkInfo other : links.values()) {
                if (other.isVlan() && other.parent().equals(spec.parent()) && other.vlanId() == spec.tag()) {
                    throw precondition("VLAN_TAG_IN_USE", operation + ": " + spec.parent() + " already carries tag "
                            + spec.tag() + " as interface " + other.name(), "tag");
                }
            }
        }
        String bridgeFile = IfcfgFiles.bridgeFileName(bridgeName);
        String vlanFile = IfcfgFiles.vlanFileName(spec);
        Optional<String> bridgeText = files.read(bridgeFile);
        Optional<String> vlanText = files.read(vlanFile);
        requireBridgeFileAgrees(bridgeName, bridgeText, operation);
        requireVlanFileAgrees(spec, vlanText, operation);

        List<VlanChange> changes = new ArrayList<>();
        Rollback rollback = new Rollback(operation);
        try {
            if (ifup.enabled()) {
                // initscripts read the files, so they come first; then ifup makes what is missing
                writeIfMissing(bridgeFile, bridgeText, IfcfgFiles.bridgeContent(bridgeName), changes, rollback);
                writeIfMissing(vlanFile, vlanText, IfcfgFiles.vlanContent(spec), changes, rollback);
                if (bridge == null) {
                    runIfup(bridgeFile, bridgeName, changes, rollback);
                }
                if (vlan == null) {
                    runIfup(vlanFile, device, changes, rollback);
                }
                links = ip.links();
                bridge = requirePresent(links, bridgeName, "ifup " + bridgeFile);
                vlan = requirePresent(links, device, "ifup " + vlanFile);
                parent = links.getOrDefault(spec.parent(), parent);
            } else if (bridge == null) {
                addLink(() -> ip.addBridge(bridgeName), bridgeName, rollback);
                rollback.add("deleted bridge " + bridgeName, () -> ip.delete(bridgeName));
                changes.add(new VlanChange(VlanChange.Kind.BRIDGE_CREATED, bridgeName));
            }
            if (bridge == null || !bridge.adminUp()) {
                ip.setUp(bridgeName);
                if (bridge != null) {
                    rollback.add("brought " + bridgeName + " down again", () -> ip.setDown(bridgeName));
                }
                changes.add(new VlanChange(VlanChange.Kind.LINK_UP, bridgeName));
            }
            if (vlan == null) {
                addLink(() -> ip.addVlan(spec), device, rollback);
                rollback.add("deleted " + device, () -> ip.delete(device));
                changes.add(new VlanChange(VlanChange.Kind.VLAN_CREATED, device));
            }
            if (vlan == null || !bridgeName.equals(vlan.master())) {
                ip.setMaster(device, bridgeName);
                if (vlan != null) {
                    rollback.add("detached " + device + " from " + bridgeName, () -> ip.setNoMaster(device));
                }
                changes.add(new VlanChange(VlanChange.Kind.VLAN_ATTACHED, device));
            }
            if (!parent.adminUp()) {
                // as initscripts' ifup does for a VLAN: its parent must be up to carry frames
                ip.setUp(spec.parent());
                rollback.add("brought " + spec.parent() + " down again", () -> ip.setDown(spec.parent()));
                changes.add(new VlanChange(VlanChange.Kind.LINK_UP, spec.parent()));
            }
            if (vlan == null || !vlan.adminUp()) {
                ip.setUp(device);
                if (vlan != null) {
                    rollback.add("brought " + device + " down again", () -> ip.setDown(device));
                }
                changes.add(new VlanChange(VlanChange.Kind.LINK_UP, device));
            }
            if (!ifup.enabled()) {
                writeIfMissing(bridgeFile, bridgeText, IfcfgFiles.bridgeContent(bridgeName), changes, rollback);
                writeIfMissing(vlanFile, vlanText, IfcfgFiles.vlanContent(spec), changes, rollback);
            }
            // read back what the kernel now has; when nothing changed, the first reading already is that
            VlanState state = stateOf(spec, changes.isEmpty() ? links : ip.links(), vlanFile);
            if (!state.complete()) {
                throw new AimException(Status.Code.FAILED_PRECONDITION, "VERIFY_FAILED", "step \"verify\" failed: "
                        + "after the changes the kernel shows " + state, Map.of("step", "verify"), null);
            }
            return new CreateResult(state, changes);
        } catch (AimException failure) {
            throw rollback.fail(failure);
        }
    }

    private void runIfup(String fileName, String link, List<VlanChange> changes, Rollback rollback)
            throws AimException {
        try {
            ip.runProgram("ifup " + fileName, "IFUP_STEP_FAILED", ifup.ifupProgram(), fileName);
        } catch (AimException failure) {
            // a script that failed or was killed half-way may have made the link already; it was not there before
            rollback.add("deleted " + link + " if the failed ifup left it", () -> deleteIfPresent(link));
            throw failure;
        }
        rollback.add("ran ifdown " + fileName, () -> {
            ip.runProgram("ifdown " + fileName, "IFDOWN_STEP_FAILED", ifup.ifdownProgram(), fileName);
            if (ip.links().containsKey(link)) {
                ip.delete(link);
            }
        });
        changes.add(new VlanChange(VlanChange.Kind.IFUP_RUN, fileName));
    }

    /**
     * Runs an `ip link add`. A refused one made nothing; one killed by the timeout may have, so its clean-up is
     * registered before the failure goes up.
     */
    private void addLink(Rollback.Undo add, String link, Rollback rollback) throws AimException {
        try {
            add.run();
        } catch (AimException failure) {
            if (failure.code() == Status.Code.DEADLINE_EXCEEDED) {
                rollback.add("deleted " + link + " if the timed-out command made it", () -> deleteIfPresent(link));
            }
            throw failure;
        }
    }

    private void deleteIfPresent(String link) throws AimException {
        if (ip.links().containsKey(link)) {
            ip.delete(link);
        }
    }

    private LinkInfo requirePresent(Map<String, LinkInfo> links, String name, String step) throws AimException {
        LinkInfo link = links.get(name);
        if (link == null) {
            throw new AimException(Status.Code.FAILED_PRECONDITION, "IFUP_INCOMPLETE", "step \"" + step
                    + "\" succeeded but " + name + " does not exist in the " + ip.where() + " afterwards",
                    Map.of("step", step), null);
        }
        return link;
    }

    private void writeIfMissing(String fileName, Optional<String> existing, String content, List<VlanChange> changes,
                                Rollback rollback) throws AimException {
        if (existing.isPresent()) {
            return;   // an operator may have tuned it (STP, MTU): it already says what we need
        }
        files.write(fileName, content);
        rollback.add("removed " + fileName, () -> files.remove(fileName));
        changes.add(new VlanChange(VlanChange.Kind.FILE_WRITTEN, fileName));
    }

    // ---------------------------------------------------------------- delete

    public DeleteResult delete(VlanSpec spec, boolean force) throws AimException {
        ensureReady();
        try (KeyedLocks.Held held = locks.lock(spec.device(), spec.bridge())) {
            DeleteResult result = deleteLocked(spec, force, "delete " + spec);
            if (!result.changes().isEmpty()) {
                LOG.info("Deleted {}: {}{}", spec, result.changes(), result.bridgeKept().isEmpty() ? ""
                        : "; bridge kept: " + result.bridgeKept());
            } else if (!result.bridgeKept().isEmpty()) {
                LOG.info("Delete {}: nothing to remove; bridge kept: {}", spec, result.bridgeKept());
            }
            return result;
        }
    }

    private DeleteResult deleteLocked(VlanSpec spec, boolean force, String operation) throws AimException {
        String device = spec.device();
        String bridgeName = spec.bridge();
        Map<String, LinkInfo> links = ip.links();
        LinkInfo vlan = links.get(device);
        requireOurVlan(vlan, spec, operation);
        if (vlan != null && !vlan.master().isEmpty() && !vlan.master().equals(bridgeName)) {
            throw precondition("VLAN_IN_OTHER_BRIDGE", operation + ": " + device + " is in bridge "
                    + vlan.master() + ", not " + bridgeName, "bridge");
        }
        LinkInfo bridge = links.get(bridgeName);
        if (bridge != null && !bridge.isBridge()) {
            throw precondition("BRIDGE_NAME_TAKEN", operation + ": \"" + bridgeName + "\" is " + describe(bridge)
                    + ", not a bridge", "bridge");
        }
        String bridgeFile = IfcfgFiles.bridgeFileName(bridgeName);
        String vlanFile = IfcfgFiles.vlanFileName(spec);
        Optional<String> bridgeText = files.read(bridgeFile);
        Optional<String> vlanText = files.read(vlanFile);
        requireVlanFileAgrees(spec, vlanText, operation);

        List<String> otherUsers = new ArrayList<>();
        boolean bridgeThere = bridge != null || bridgeText.isPresent();
        for (IfcfgFiles.VlanFile file : bridgeThere ? files.vlanFiles() : List.<IfcfgFiles.VlanFile>of()) {
            file.spec().filter(other -> other.bridge().equals(bridgeName) && !other.equals(spec))
                    .ifPresent(other -> otherUsers.add(other.device()));
        }
        String keptBecause = otherUsers.isEmpty() ? notAimsBridge(bridgeName, bridgeText)
                : "still used by VLAN interface(s) " + String.join(", ", otherUsers) + " that AIM manages";
        boolean deleteBridge = keptBecause.isEmpty();
        List<String> ports = new ArrayList<>();
        if (bridge != null) {
            links.values().stream().filter(link -> bridgeName.equals(link.master()) && !link.name().equals(device))
                    .map(LinkInfo::name).sorted().forEach(ports::add);
        }
        if (deleteBridge && !ports.isEmpty() && !force) {
            throw new AimException(Status.Code.FAILED_PRECONDITION, "BRIDGE_HAS_PORTS", operation + ": bridge "
                    + bridgeName + " still has ports attached (" + String.join(", ", ports) + "): detach the VMs' "
                    + "interfaces first, or set force to detach them", Map.of("bridge", bridgeName, "ports",
                    String.join(",", ports)), null);
        }

        List<VlanChange> changes = new ArrayList<>();
        Rollback rollback = new Rollback(operation);
        try {
            if (vlan != null) {
                removeLink(device, vlanText.isPresent() ? vlanFile : null, changes);
                LinkInfo before = vlan;
                rollback.add("re-created " + device, () -> {
                    ip.addVlan(spec);
                    if (bridgeName.equals(before.master())) {
                        ip.setMaster(device, bridgeName);
                    }
                    if (before.adminUp()) {
                        ip.setUp(device);
                    }
                });
                changes.add(new VlanChange(VlanChange.Kind.VLAN_DELETED, device));
            }
            if (deleteBridge && bridge != null) {
                removeLink(bridgeName, bridgeText.isPresent() ? bridgeFile : null, changes);
                LinkInfo before = bridge;
                rollback.add("re-created bridge " + bridgeName + " with its ports", () -> {
                    ip.addBridge(bridgeName);
                    for (String port : ports) {
                        ip.setMaster(port, bridgeName);
                    }
                    if (before.adminUp()) {
                        ip.setUp(bridgeName);
                    }
                });
                changes.add(new VlanChange(VlanChange.Kind.BRIDGE_DELETED, bridgeName));
            }
            if (vlanText.isPresent()) {
                files.remove(vlanFile);
                rollback.add("restored " + vlanFile, () -> files.write(vlanFile, vlanText.get()));
                changes.add(new VlanChange(VlanChange.Kind.FILE_REMOVED, vlanFile));
            }
            if (deleteBridge && bridgeText.isPresent()) {
                files.remove(bridgeFile);
                rollback.add("restored " + bridgeFile, () -> files.write(bridgeFile, bridgeText.get()));
                changes.add(new VlanChange(VlanChange.Kind.FILE_REMOVED, bridgeFile));
            }
        } catch (AimException failure) {
            throw rollback.fail(failure);
        }
        return new DeleteResult(changes, deleteBridge && bridge != null ? ports : List.of(),
                bridgeThere ? keptBecause : "");
    }

    /** ifdown (when initscripts are in use and the file exists), then ip for whatever is still there. */
    private void removeLink(String link, String fileName, List<VlanChange> changes) throws AimException {
        if (ifup.enabled() && fileName != null) {
            ip.runProgram("ifdown " + fileName, "IFDOWN_STEP_FAILED", ifup.ifdownProgram(), fileName);
            changes.add(new VlanChange(VlanChange.Kind.IFUP_RUN, fileName));
            if (!ip.links().containsKey(link)) {
                return;
            }
        }
        ip.delete(link);
    }

    // ---------------------------------------------------------------- list

    public Listing list() throws AimException {
        ensureReady();
        Map<String, LinkInfo> links = ip.links();
        List<VlanState> vlans = new ArrayList<>();
        TreeMap<String, String> bridgeFiles = new TreeMap<>();
        for (IfcfgFiles.VlanFile file : files.vlanFiles()) {
            if (file.spec().isPresent()) {
                VlanSpec spec = file.spec().get();
                vlans.add(stateOf(spec, links, file.fileName()));
                bridgeFiles.put(spec.bridge(), "");
            }
        }
        for (String bridge : files.aimBridgeNames()) {
            bridgeFiles.put(bridge, "");
        }
        List<BridgeState> bridges = new ArrayList<>();
        for (String name : bridgeFiles.keySet()) {
            LinkInfo link = links.get(name);
            String fileName = files.read(IfcfgFiles.bridgeFileName(name)).isPresent()
                    ? IfcfgFiles.bridgeFileName(name) : "";
            List<String> ports = links.values().stream().filter(port -> name.equals(port.master()))
                    .map(LinkInfo::name).sorted().toList();
            bridges.add(new BridgeState(name, fileName, link != null && link.isBridge(), link != null
                    && link.adminUp(), link == null ? "" : link.operState(), ports));
        }
        vlans.sort((a, b) -> a.spec().device().compareTo(b.spec().device()));
        return new Listing(vlans, bridges);
    }

    private static VlanState stateOf(VlanSpec spec, Map<String, LinkInfo> links, String fileName) {
        LinkInfo link = links.get(spec.device());
        LinkInfo bridge = links.get(spec.bridge());
        boolean isVlan = link != null && link.isVlan();
        return new VlanState(spec, fileName, isVlan, isVlan && link.adminUp(), link == null ? "" : link.operState(),
                isVlan && spec.bridge().equals(link.master()), links.containsKey(spec.parent()),
                bridge != null && bridge.isBridge() && bridge.adminUp());
    }

    // ---------------------------------------------------------------- restore

    /** Re-creates, from the ifcfg files, every link that is missing. One VLAN failing does not stop the others. */
    public RestoreResult restore() throws AimException {
        ensureReady();
        return restoreLocked();
    }

    private RestoreResult restoreLocked() throws AimException {
        List<Restored> results = new ArrayList<>();
        List<String> unreadable = new ArrayList<>();
        // one reading for the common case (everything there); a VLAN that lacks something is re-read under its locks
        Map<String, LinkInfo> snapshot = ip.links();
        for (IfcfgFiles.VlanFile file : files.vlanFiles()) {
            if (file.spec().isEmpty()) {
                unreadable.add(file.fileName() + ": " + file.problem());
                LOG.warn("Restore: {} skipped: {}", files.folder().resolve(file.fileName()), file.problem());
                continue;
            }
            VlanSpec spec = file.spec().get();
            try (KeyedLocks.Held held = locks.lock(spec.parent(), spec.device(), spec.bridge())) {
                String operation = "restore " + spec + " from " + file.fileName();
                if (files.read(file.fileName()).isEmpty()) {
                    continue;   // deleted by a call that held the locks before us: nothing to restore
                }
                LinkInfo parent = snapshot.get(spec.parent());
                boolean complete = stateOf(spec, snapshot, file.fileName()).complete() && parent != null
                        && parent.adminUp();
                CreateResult created = createLocked(spec, operation, complete ? snapshot : ip.links());
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

    private void restoreAndLog() {
        try {
            RestoreResult result = restoreLocked();
            long changed = result.results().stream().filter(r -> !r.changes().isEmpty()).count();
            long failed = result.results().stream().filter(r -> !r.error().isEmpty()).count();
            LOG.info("Restore from {} in the {}: {} VLAN file(s), {} re-created, {} already complete, {} failed, {} "
                    + "unreadable", files.folder(), ip.where(), result.results().size(), changed,
                    result.results().size() - changed - failed, failed, result.unreadableFiles().size());
        } catch (AimException | RuntimeException failure) {
            LOG.error("Restore from {} failed: {}", files.folder(), failure.getMessage());
        }
    }

    // ---------------------------------------------------------------- check

    /** What the node lacks, requirement by requirement. Probes with a short-lived bridge; changes nothing else. */
    public List<Check> check() {
        return new RequirementsProbe(ip, files, ifup).check();
    }

    // ---------------------------------------------------------------- helpers

    private void requireOurVlan(LinkInfo link, VlanSpec spec, String operation) throws AimException {
        if (link != null && !(link.isVlan() && link.vlanId() == spec.tag() && link.parent().equals(spec.parent()))) {
            throw precondition("VLAN_NAME_TAKEN", operation + ": \"" + spec.device() + "\" exists in the "
                    + ip.where() + " but is " + describe(link) + ", not VLAN " + spec.tag() + " on " + spec.parent(),
                    "parent_interface");
        }
    }

    /**
     * Why a bridge is not AIM's, or "" when it is. AIM writes ifcfg-&lt;bridge&gt; whenever it makes a bridge, so a
     * bridge without that file (libvirt's virbr0, docker0, the node's uplink) or with an operator's file is not
     * AIM's to delete; nor is a file that describes another device AIM's to remove as this bridge's.
     */
    private static String notAimsBridge(String bridge, Optional<String> text) {
        String fileName = IfcfgFiles.bridgeFileName(bridge);
        if (text.isEmpty()) {
            return "there is no " + fileName + ", so it is not a bridge AIM manages";
        }
        if (!IfcfgFiles.writtenByAim(text.get())) {
            return fileName + " was not written by AIM";
        }
        Map<String, String> values = IfcfgFiles.parse(text.get());
        if (!bridge.equals(values.get("DEVICE")) || !"Bridge".equalsIgnoreCase(values.getOrDefault("TYPE", ""))) {
            return fileName + " does not describe bridge " + bridge + " (DEVICE=" + values.get("DEVICE") + ", TYPE="
                    + values.get("TYPE") + ")";
        }
        return "";
    }

    private void requireBridgeFileAgrees(String bridge, Optional<String> text, String operation)
            throws AimException {
        if (text.isEmpty()) {
            return;
        }
        Map<String, String> values = IfcfgFiles.parse(text.get());
        if (!bridge.equals(values.get("DEVICE")) || !"Bridge".equalsIgnoreCase(values.getOrDefault("TYPE", ""))) {
            throw precondition("FILE_CONFLICT", operation + ": " + files.folder().resolve(
                    IfcfgFiles.bridgeFileName(bridge)) + " exists but does not describe bridge " + bridge + " (DEVICE="
                    + values.get("DEVICE") + ", TYPE=" + values.get("TYPE") + ")", "bridge");
        }
    }

    private void requireVlanFileAgrees(VlanSpec spec, Optional<String> text, String operation) throws AimException {
        if (text.isEmpty()) {
            return;
        }
        IfcfgFiles.VlanFile file = IfcfgFiles.parseVlanFile(IfcfgFiles.vlanFileName(spec), text.get());
        if (file.spec().isEmpty() || !file.spec().get().equals(spec)) {
            throw precondition("FILE_CONFLICT", operation + ": " + files.folder().resolve(file.fileName())
                    + " exists but " + (file.spec().isEmpty() ? file.problem() : "describes "
                    + file.spec().get()), "bridge");
        }
    }

    private static String describe(LinkInfo link) {
        if (link.isVlan()) {
            return "VLAN " + link.vlanId() + " on " + (link.parent().isEmpty() ? "another namespace's link"
                    : link.parent());
        }
        return link.kind().isEmpty() ? "a plain device" : "a " + link.kind() + " interface";
    }

    private static AimException precondition(String reason, String message, String field) {
        return new AimException(Status.Code.FAILED_PRECONDITION, reason, message, Map.of("field", field), null);
    }
}
