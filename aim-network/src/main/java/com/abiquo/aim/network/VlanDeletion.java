package com.abiquo.aim.network;

import static com.abiquo.aim.network.VlanPreconditions.describe;
import static com.abiquo.aim.network.VlanPreconditions.precondition;
import static java.util.Objects.requireNonNull;

import com.abiquo.aim.core.error.AimException;
import com.abiquo.aim.network.VlanManager.DeleteResult;
import io.grpc.Status;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.Logger;

/**
 * Deletes a VLAN, its ifcfg file and, when AIM made it and no other VLAN of AIM's uses it, its bridge. Every
 * change registers its undo in a {@link Rollback}, so a failing step leaves the namespace and the folder as they were.
 */
final class VlanDeletion {
    // VlanManager's logger, as before this class was split out of it: operators' log filters keep matching
    private static final Logger LOG = LogManager.getLogger(VlanManager.class);

    private final IpTool ip;
    private final NetworkFiles files;
    private final IfupScripts ifup;
    private final InterfaceLocks locks;
    private final VlanPreconditions preconditions;

    VlanDeletion(IpTool ip, NetworkFiles files, IfupScripts ifup, InterfaceLocks locks, VlanPreconditions preconditions) {
        this.ip = requireNonNull(ip, "ip is null");
        this.files = requireNonNull(files, "files is null");
        this.ifup = requireNonNull(ifup, "ifup is null");
        this.locks = requireNonNull(locks, "locks is null");
        this.preconditions = requireNonNull(preconditions, "preconditions is null");
    }

    DeleteResult delete(VlanSpec spec, boolean force) throws AimException {
        try (InterfaceLocks.Held held = locks.lock(spec.device(), spec.bridge())) {
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
        preconditions.requireOurVlan(vlan, spec, operation);
        if (vlan != null && !vlan.master().isEmpty() && !vlan.master().equals(bridgeName)) {
            throw precondition(VlanErrorReason.VLAN_IN_OTHER_BRIDGE, operation + ": " + device + " is in bridge "
                    + vlan.master() + ", not " + bridgeName, "bridge");
        }
        LinkInfo bridge = links.get(bridgeName);
        if (bridge != null && !bridge.isBridge()) {
            throw precondition(VlanErrorReason.BRIDGE_NAME_TAKEN,
                    operation + ": \"" + bridgeName + "\" is " + describe(bridge)
                    + ", not a bridge", "bridge");
        }
        String bridgeFile = files.bridgeFile(bridgeName);
        String vlanFile = files.vlanFile(spec);
        Optional<String> bridgeText = files.read(bridgeFile);
        Optional<String> vlanText = files.read(vlanFile);
        preconditions.requireVlanFileAgrees(spec, vlanText, operation);

        List<String> otherUsers = new ArrayList<>();
        boolean bridgeThere = bridge != null || bridgeText.isPresent();
        for (NetworkFiles.VlanFile file : bridgeThere ? files.vlanFiles() : List.<NetworkFiles.VlanFile>of()) {
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
            throw new AimException(Status.Code.FAILED_PRECONDITION, VlanErrorReason.BRIDGE_HAS_PORTS,
                    operation + ": bridge "
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
        if (changes.stream().anyMatch(change -> change.kind() == VlanChange.Kind.FILE_REMOVED)) {
            files.changed();
        }
        return new DeleteResult(changes, deleteBridge && bridge != null ? ports : List.of(),
                bridgeThere ? keptBecause : "");
    }

    /** ifdown (when initscripts are in use and the file exists), then ip for whatever is still there. */
    private void removeLink(String link, String fileName, List<VlanChange> changes) throws AimException {
        if (ifup.enabled() && fileName != null) {
            ifup.down(fileName);
            changes.add(new VlanChange(VlanChange.Kind.IFUP_RUN, fileName));
            if (!ip.links().containsKey(link)) {
                return;
            }
        }
        ip.delete(link);
    }

    /**
     * Why a bridge is not AIM's, or "" when it is. AIM writes the bridge's file whenever it makes a bridge, so a
     * bridge without that file (libvirt's virbr0, docker0, the node's uplink) or with an operator's file is not
     * AIM's to delete; nor is a file that describes another device AIM's to remove as this bridge's.
     */
    private String notAimsBridge(String bridge, Optional<String> text) {
        String fileName = files.bridgeFile(bridge);
        if (text.isEmpty()) {
            return "there is no " + fileName + ", so it is not a bridge AIM manages";
        }
        if (!files.isAims(text.get())) {
            return fileName + " was not written by AIM";
        }
        String problem = files.bridgeProblem(bridge, text.get());
        if (!problem.isEmpty()) {
            return fileName + " does not describe bridge " + bridge + " (" + problem + ")";
        }
        return "";
    }
}
