package com.abiquo.aim.network;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import com.abiquo.aim.core.command.CommandRunner;
import com.abiquo.aim.core.error.AimException;
import io.grpc.Status;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** The shared refusals of create and delete, without a namespace: they only read what they are given. */
class VlanPreconditionsTest {
    private final VlanPreconditions preconditions = new VlanPreconditions(new IpTool(new CommandRunner(),
            Optional.of("aimtest"), Duration.ofSeconds(1)), new IfcfgFiles(Path.of("/scripts")));
    private final VlanSpec spec = spec();

    @Test
    void acceptsNoLinkAndThisVlan() throws AimException {
        preconditions.requireOurVlan(null, spec, "create");
        preconditions.requireOurVlan(link("eth0.5", "vlan", "eth0", 5), spec, "create");
    }

    @Test
    void refusesAnotherLinkWithTheVlansName() {
        AimException refused = assertThrows(AimException.class,
                () -> preconditions.requireOurVlan(link("eth0.5", "vlan", "eth1", 5), spec, "create"));
        assertEquals(Status.Code.FAILED_PRECONDITION, refused.code());
        assertEquals("VLAN_NAME_TAKEN", refused.reason().name());
        assertEquals("create: \"eth0.5\" exists in the network namespace \"aimtest\" but is VLAN 5 on eth1, not VLAN 5 "
                + "on eth0", refused.getMessage());
        assertEquals(Map.of("field", "parent_interface"), refused.metadata());
    }

    @Test
    void refusesFilesThatDescribeSomethingElse() throws AimException {
        preconditions.requireBridgeFileAgrees("abiquo_5", Optional.of(IfcfgFiles.bridgeContent("abiquo_5")), "op");
        preconditions.requireVlanFileAgrees(spec, Optional.of(IfcfgFiles.vlanContent(spec)), "op");
        AimException bridge = assertThrows(AimException.class, () -> preconditions.requireBridgeFileAgrees(
                "abiquo_5", Optional.of("DEVICE=abiquo_5\nTYPE=Ethernet\n"), "op"));
        assertEquals("FILE_CONFLICT", bridge.reason().name());
        assertEquals("op: /scripts/ifcfg-abiquo_5 exists but does not describe bridge abiquo_5 (DEVICE=abiquo_5, "
                + "TYPE=Ethernet)", bridge.getMessage());
        AimException vlan = assertThrows(AimException.class, () -> preconditions.requireVlanFileAgrees(spec,
                Optional.of(IfcfgFiles.vlanContent(VlanSpec.of(5, "eth0", "br5"))), "op"));
        assertEquals("FILE_CONFLICT", vlan.reason().name());
        assertEquals(Map.of("field", "bridge"), vlan.metadata());
    }

    @Test
    void namesTheHostsNamespaceOnceWithoutANamespace() {
        VlanPreconditions inHost = new VlanPreconditions(new IpTool(new CommandRunner(), Optional.empty(),
                Duration.ofSeconds(1)), new IfcfgFiles(Path.of("/scripts")));
        AimException refused = assertThrows(AimException.class,
                () -> inHost.requireOurVlan(link("eth0.5", "vlan", "eth1", 5), spec, "create"));
        assertEquals("create: \"eth0.5\" exists in the host's network namespace but is VLAN 5 on eth1, not VLAN 5 "
                + "on eth0", refused.getMessage());
    }

    @Test
    void describesTheLinkInTheWay() {
        assertEquals("VLAN 7 on another namespace's link", VlanPreconditions.describe(link("x", "vlan", "", 7)));
        assertEquals("a plain device", VlanPreconditions.describe(link("x", "", "", 0)));
        assertEquals("a veth interface", VlanPreconditions.describe(link("x", "veth", "", 0)));
    }

    private static LinkInfo link(String name, String kind, String parent, int vlanId) {
        return new LinkInfo(name, kind, "", parent, vlanId, vlanId == 0 ? "" : "802.1Q", true, "UP", 1500, List.of());
    }

    private static VlanSpec spec() {
        try {
            return VlanSpec.of(5, "eth0", "abiquo_5");
        } catch (AimException invalid) {
            throw new AssertionError(invalid);
        }
    }
}
