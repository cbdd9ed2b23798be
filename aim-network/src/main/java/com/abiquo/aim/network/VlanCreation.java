package com.abiquo.aim.network;

import static com.abiquo.aim.network.VlanPreconditions.describe;
import static com.abiquo.aim.network.VlanPreconditions.precondition;
import static java.util.Objects.requireNonNull;

import com.abiquo.aim.core.error.AimException;
import com.abiquo.aim.network.VlanManager.CreateResult;
import io.grpc.Status;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.Logger;

/**
 * Creates a VLAN and its bridge, or completes what is missing of them: links (with iproute2, or ifup when it is
 * configured), up flags, attachment, ifcfg files. Every change registers its undo in a {@link Rollback}, so a
 * failing step leaves the namespace and the folder as they were.
 */
final class VlanCreation {
    // VlanManager's logger, as before this class was split out of it: operators' log filters keep matching
    private static final Logger LOG = LogManager.getLogger(VlanManager.class);

    private final IpTool ip;
    private final NetworkFiles files;
    private final IfupScripts ifup;
    private final InterfaceLocks locks;
    private final VlanPreconditions preconditions;

    VlanCreation(IpTool ip, NetworkFiles files, IfupScripts ifup, InterfaceLocks locks, VlanPreconditions preconditions) {
        this.ip = requireNonNull(ip, "ip is null");
        this.files = requireNonNull(files, "files is null");
        this.ifup = requireNonNull(ifup, "ifup is null");
        this.locks = requireNonNull(locks, "locks is null");
        this.preconditions = requireNonNull(preconditions, "preconditions is null");
    }

    CreateResult create(VlanSpec spec) throws AimException {
        // the parent too: create brings it up and its undo brings it down, which must not happen under another
        // create's finished VLAN on the same parent
        try (InterfaceLocks.Held held = locks.lock(spec.parent(), spec.device(), spec.bridge())) {
            CreateResult result = createLocked(spec, "create " + spec, ip.links());
            if (!result.changes().isEmpty()) {
                LOG.info("Created {}: {}", spec, result.changes());
            }
            return result;
        }
    }

    /**
     * The caller holds the locks of the spec's parent, device and bridge.
     *
     * @param links the namespace's links as read under this VLAN's locks
     */
    CreateResult createLocked(VlanSpec spec, String operation, Map<String, LinkInfo> links) throws AimException {
        String device = spec.device();
        String bridgeName = spec.bridge();
        requireLinksAllow(spec, operation, links);
        LinkInfo parent = links.get(spec.parent());
        LinkInfo bridge = links.get(bridgeName);
        LinkInfo vlan = links.get(device);
        String bridgeFile = files.bridgeFile(bridgeName);
        String vlanFile = files.vlanFile(spec);
        Optional<String> bridgeText = files.read(bridgeFile);
        Optional<String> vlanText = files.read(vlanFile);
        preconditions.requireBridgeFileAgrees(bridgeName, bridgeText, operation);
        preconditions.requireVlanFileAgrees(spec, vlanText, operation);

        List<VlanChange> changes = new ArrayList<>();
        Rollback rollback = new Rollback(operation);
        try {
            if (ifup.enabled()) {
                // initscripts read the files, so they come first; then ifup makes what is missing
                writeIfMissing(bridgeFile, bridgeText, files.bridgeText(bridgeName), changes, rollback);
                writeIfMissing(vlanFile, vlanText, files.vlanText(spec), changes, rollback);
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
                writeIfMissing(bridgeFile, bridgeText, files.bridgeText(bridgeName), changes, rollback);
                writeIfMissing(vlanFile, vlanText, files.vlanText(spec), changes, rollback);
            }
            // read back what the kernel now has; when nothing changed, the first reading already is that
            VlanState state = VlanState.of(spec, changes.isEmpty() ? links : ip.links(), vlanFile);
            if (!state.complete()) {
                throw new AimException(Status.Code.FAILED_PRECONDITION, VlanErrorReason.VERIFY_FAILED,
                        "step \"verify\" failed: "
                        + "after the changes the kernel shows " + state, Map.of("step", "verify"), null);
            }
            if (changes.stream().anyMatch(change -> change.kind() == VlanChange.Kind.FILE_WRITTEN)) {
                files.changed();
            }
            return new CreateResult(state, changes);
        } catch (AimException failure) {
            throw rollback.fail(failure);
        }
    }

    /** Refuses the spec when the links there clash with it: no parent, its names taken, its tag in use. */
    private void requireLinksAllow(VlanSpec spec, String operation, Map<String, LinkInfo> links)
            throws AimException {
        String device = spec.device();
        String bridgeName = spec.bridge();
        LinkInfo parent = links.get(spec.parent());
        if (parent == null) {
            throw precondition(VlanErrorReason.PARENT_INTERFACE_MISSING,
                    operation + ": parent interface " + spec.parent()
                    + " does not exist in the " + ip.where(), "parent_interface");
        }
        LinkInfo bridge = links.get(bridgeName);
        if (bridge != null && !bridge.isBridge()) {
            throw precondition(VlanErrorReason.BRIDGE_NAME_TAKEN, operation + ": \"" + bridgeName + "\" exists in the "
                    + ip.where() + " but is " + describe(bridge) + ", not a bridge", "bridge");
        }
        LinkInfo vlan = links.get(device);
        preconditions.requireOurVlan(vlan, spec, operation);
        if (vlan != null && !vlan.master().isEmpty() && !vlan.master().equals(bridgeName)) {
            // moving it would cut the VMs of the other bridge off this VLAN
            throw precondition(VlanErrorReason.VLAN_IN_OTHER_BRIDGE,
                    operation + ": " + device + " is already in bridge "
                    + vlan.master() + "; delete that VLAN first", "bridge");
        }
        if (vlan == null) {
            for (LinkInfo other : links.values()) {
                if (other.isVlan() && other.parent().equals(spec.parent()) && other.vlanId() == spec.tag()) {
                    throw precondition(VlanErrorReason.VLAN_TAG_IN_USE,
                            operation + ": " + spec.parent() + " already carries tag "
                            + spec.tag() + " as interface " + other.name(), "tag");
                }
            }
        }
    }

    private void runIfup(String fileName, String link, List<VlanChange> changes, Rollback rollback)
            throws AimException {
        try {
            ifup.up(fileName);
        } catch (AimException failure) {
            // a script that failed or was killed half-way may have made the link already; it was not there before
            rollback.add("deleted " + link + " if the failed ifup left it", () -> deleteIfPresent(link));
            throw failure;
        }
        rollback.add("ran ifdown " + fileName, () -> {
            ifup.down(fileName);
            deleteIfPresent(link);
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
            throw new AimException(Status.Code.FAILED_PRECONDITION, VlanErrorReason.IFUP_INCOMPLETE, "step \"" + step
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
}
