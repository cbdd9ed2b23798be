package com.abiquo.aim.network;

import static java.util.Objects.requireNonNull;

import com.abiquo.aim.core.error.AimException;
import com.abiquo.aim.core.error.ErrorReason;
import io.grpc.Status;
import java.util.Map;
import java.util.Optional;

/**
 * The checks create and delete share before they change anything: a link or ifcfg file that already has this
 * VLAN's or bridge's name must describe that VLAN or bridge, or the call is refused with FAILED_PRECONDITION.
 */
final class VlanPreconditions {
    private final IpTool ip;
    private final NetworkFiles files;

    VlanPreconditions(IpTool ip, NetworkFiles files) {
        this.ip = requireNonNull(ip, "ip is null");
        this.files = requireNonNull(files, "files is null");
    }

    void requireOurVlan(LinkInfo link, VlanSpec spec, String operation) throws AimException {
        if (link != null && !(link.isVlan() && link.vlanId() == spec.tag() && link.parent().equals(spec.parent()))) {
            throw precondition(VlanErrorReason.VLAN_NAME_TAKEN, operation + ": \"" + spec.device() + "\" exists in the "
                    + ip.where() + " but is " + describe(link) + ", not VLAN " + spec.tag() + " on " + spec.parent(),
                    "parent_interface");
        }
    }

    void requireBridgeFileAgrees(String bridge, Optional<String> text, String operation) throws AimException {
        if (text.isEmpty()) {
            return;
        }
        String problem = files.bridgeProblem(bridge, text.get());
        if (!problem.isEmpty()) {
            throw precondition(VlanErrorReason.FILE_CONFLICT, operation + ": " + files.folder().resolve(
                    files.bridgeFile(bridge)) + " exists but does not describe bridge " + bridge + " (" + problem
                    + ")", "bridge");
        }
    }

    void requireVlanFileAgrees(VlanSpec spec, Optional<String> text, String operation) throws AimException {
        if (text.isEmpty()) {
            return;
        }
        NetworkFiles.VlanFile file = files.readVlanFile(files.vlanFile(spec), text.get());
        if (file.spec().isEmpty() || !file.spec().get().equals(spec)) {
            throw precondition(VlanErrorReason.FILE_CONFLICT, operation + ": " + files.folder().resolve(file.fileName())
                    + " exists but " + (file.spec().isEmpty() ? file.problem() : "describes "
                    + file.spec().get()), "bridge");
        }
    }

    /** What a link that is in the way is, for messages: "VLAN 7 on eth1", "a veth interface", ... */
    static String describe(LinkInfo link) {
        if (link.isVlan()) {
            return "VLAN " + link.vlanId() + " on " + (link.parent().isEmpty() ? "another namespace's link"
                    : link.parent());
        }
        return link.kind().isEmpty() ? "a plain device" : "a " + link.kind() + " interface";
    }

    static AimException precondition(ErrorReason reason, String message, String field) {
        return new AimException(Status.Code.FAILED_PRECONDITION, reason, message, Map.of("field", field), null);
    }
}
