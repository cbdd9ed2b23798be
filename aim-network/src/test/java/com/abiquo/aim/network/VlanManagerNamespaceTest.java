package com.abiquo.aim.network;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.abiquo.aim.core.error.AimException;
import com.abiquo.aim.testing.RecordingHealth;
import io.grpc.Status;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Bridge logic, rollback, idempotent deletes, refusals and concurrency, for real in a namespace made per test. The
 * VLAN step is made to fail for real with parent "lo" (loopback cannot carry VLANs on any kernel; this machine's
 * kernel has no 802.1Q at all). The VLAN path itself is proven in {@link VlanRealKernelTest}.
 */
@Tag("system")
class VlanManagerNamespaceTest {
    @TempDir
    Path scripts;
    TestNamespace ns;
    RecordingHealth health = new RecordingHealth();
    VlanManager manager;

    @BeforeEach
    void namespace() throws AimException {
        ns = new TestNamespace();
        manager = ns.manager(scripts, health);
        manager.startUp(true);
    }

    @AfterEach
    void cleanUp() throws AimException {
        ns.close();
    }

    @Test
    void aFailedVlanStepRemovesTheBridgeThisCallCreatedAndLeavesNoFile() throws Exception {
        AimException failure = assertThrows(AimException.class,
                () -> manager.create(VlanSpec.of(5, "lo", "abiquo_5")));
        assertEquals(Status.Code.FAILED_PRECONDITION, failure.code());
        assertEquals("VLAN_STEP_FAILED", failure.reason().name());
        assertEquals("create VLAN interface lo.5 (tag 5 on lo)", failure.metadata().get("step"));
        assertTrue(failure.getMessage().contains("undone: deleted bridge abiquo_5"), failure.getMessage());
        assertFalse(ns.links().containsKey("abiquo_5"));
        assertFalse(ns.links().containsKey("lo.5"));
        assertEquals(List.of(), fileNames());
    }

    @Test
    void aFailedCallLeavesAnExistingBridgeAsItWas() throws Exception {
        ns.ip("link", "add", "name", "abiquo_6", "type", "bridge");
        ns.veth("vnet0", "vm0");
        ns.ip("link", "set", "vnet0", "master", "abiquo_6");
        AimException failure = assertThrows(AimException.class,
                () -> manager.create(VlanSpec.of(6, "lo", "abiquo_6")));
        assertTrue(failure.getMessage().contains("brought abiquo_6 down again"), failure.getMessage());
        LinkInfo bridge = ns.links().get("abiquo_6");
        assertTrue(bridge.isBridge());
        assertFalse(bridge.adminUp(), "it was down before the call");
        assertEquals("abiquo_6", ns.links().get("vnet0").master());
        assertEquals(List.of(), fileNames());
    }

    @Test
    void refusesAMissingParentOrNamesTakenByOtherLinksBeforeChangingAnything() throws Exception {
        ns.veth("eth0", "peer0");
        ns.ip("link", "add", "name", "eth0.7", "type", "bridge");
        List<String> before = List.copyOf(ns.links().keySet());

        AimException missing = assertThrows(AimException.class,
                () -> manager.create(VlanSpec.of(5, "eth9", "abiquo_5")));
        assertEquals("PARENT_INTERFACE_MISSING", missing.reason().name());
        assertTrue(missing.getMessage().contains("eth9") && missing.getMessage().contains(ns.name));

        AimException bridgeTaken = assertThrows(AimException.class,
                () -> manager.create(VlanSpec.of(5, "eth0", "peer0")));
        assertEquals("BRIDGE_NAME_TAKEN", bridgeTaken.reason().name());
        assertTrue(bridgeTaken.getMessage().contains("veth"), bridgeTaken.getMessage());

        AimException vlanTaken = assertThrows(AimException.class,
                () -> manager.create(VlanSpec.of(7, "eth0", "abiquo_7")));
        assertEquals("VLAN_NAME_TAKEN", vlanTaken.reason().name());
        assertTrue(vlanTaken.getMessage().contains("bridge interface"), vlanTaken.getMessage());

        assertEquals(before, List.copyOf(ns.links().keySet()));
        assertEquals(List.of(), fileNames());
    }

    @Test
    void deletingABridgeWithVmPortsIsRefusedUnlessForced() throws Exception {
        managedVlanWithBridge(5, "eth0", "abiquo_5");
        ns.veth("vnet0", "vm0");
        ns.ip("link", "set", "vnet0", "master", "abiquo_5");
        VlanSpec spec = VlanSpec.of(5, "eth0", "abiquo_5");

        AimException refused = assertThrows(AimException.class, () -> manager.delete(spec, false));
        assertEquals(Status.Code.FAILED_PRECONDITION, refused.code());
        assertEquals("BRIDGE_HAS_PORTS", refused.reason().name());
        assertTrue(refused.getMessage().contains("vnet0"), refused.getMessage());
        assertTrue(ns.links().containsKey("abiquo_5"));
        assertEquals(List.of("ifcfg-abiquo_5", "ifcfg-abiquo_eth0.5"), fileNames());

        VlanManager.DeleteResult forced = manager.delete(spec, true);
        assertEquals(List.of(new VlanChange(VlanChange.Kind.BRIDGE_DELETED, "abiquo_5"),
                new VlanChange(VlanChange.Kind.FILE_REMOVED, "ifcfg-abiquo_eth0.5"),
                new VlanChange(VlanChange.Kind.FILE_REMOVED, "ifcfg-abiquo_5")), forced.changes());
        assertEquals(List.of("vnet0"), forced.detachedPorts());
        assertFalse(ns.links().containsKey("abiquo_5"));
        assertEquals("", ns.links().get("vnet0").master(), "the VM's interface survives, detached");
        assertEquals(List.of(), fileNames());

        VlanManager.DeleteResult again = manager.delete(spec, false);
        assertEquals(List.of(), again.changes(), "deleting what is gone succeeds and changes nothing");
        assertEquals("", again.bridgeKept());
    }

    @Test
    void aBridgeOtherManagedVlansStillUseOrThatAimDidNotWriteIsKept() throws Exception {
        managedVlanWithBridge(5, "eth0", "abiquo_5");
        write(VlanSpec.of(5, "eth1", "abiquo_5"));
        VlanManager.DeleteResult shared = manager.delete(VlanSpec.of(5, "eth0", "abiquo_5"), false);
        assertTrue(shared.bridgeKept().contains("eth1.5"), shared.bridgeKept());
        assertEquals(List.of(new VlanChange(VlanChange.Kind.FILE_REMOVED, "ifcfg-abiquo_eth0.5")), shared.changes());
        assertTrue(ns.links().containsKey("abiquo_5"));

        ns.ip("link", "add", "name", "br0", "type", "bridge");
        write(VlanSpec.of(9, "eth0", "br0"));
        Files.writeString(scripts.resolve("ifcfg-br0"), "DEVICE=br0\nTYPE=Bridge\nIPADDR=192.0.2.1\n");
        VlanManager.DeleteResult foreign = manager.delete(VlanSpec.of(9, "eth0", "br0"), true);
        assertTrue(foreign.bridgeKept().contains("not written by AIM"), foreign.bridgeKept());
        assertTrue(ns.links().containsKey("br0"));
        assertTrue(Files.exists(scripts.resolve("ifcfg-br0")));
    }

    @Test
    void aBridgeAimHasNoFileForIsKeptEvenWhenForced() throws Exception {
        // libvirt's virbr0 with a VM on it and no ifcfg file; VLAN 5 on eth0 does not exist
        ns.ip("link", "add", "name", "virbr0", "type", "bridge");
        ns.veth("vnet0", "vm0");
        ns.ip("link", "set", "vnet0", "master", "virbr0");
        VlanManager.DeleteResult forced = manager.delete(VlanSpec.of(5, "eth0", "virbr0"), true);
        assertEquals(List.of(), forced.changes());
        assertEquals(List.of(), forced.detachedPorts());
        assertTrue(forced.bridgeKept().contains("no ifcfg-virbr0"), forced.bridgeKept());
        assertTrue(ns.links().get("virbr0").isBridge());
        assertEquals("virbr0", ns.links().get("vnet0").master(), "the VM stays on its bridge");

        // AIM's own VLAN naming such a bridge is still removed; the bridge stays
        VlanSpec onDocker = VlanSpec.of(6, "eth0", "docker0");
        ns.ip("link", "add", "name", "docker0", "type", "bridge");
        new IfcfgFiles(scripts).write(IfcfgFiles.vlanFileName(onDocker), IfcfgFiles.vlanContent(onDocker));
        VlanManager.DeleteResult vlanOnly = manager.delete(onDocker, false);
        assertEquals(List.of(new VlanChange(VlanChange.Kind.FILE_REMOVED, "ifcfg-abiquo_eth0.6")),
                vlanOnly.changes());
        assertTrue(vlanOnly.bridgeKept().contains("no ifcfg-docker0"), vlanOnly.bridgeKept());
        assertTrue(ns.links().get("docker0").isBridge());
        assertEquals(List.of(), fileNames());
    }

    @Test
    void deleteRemovesOnlyABridgeFileThatDescribesThatBridge() throws Exception {
        // an AIM file under the bridge's file name that describes another device (VLAN 7 on eth1's)
        ns.ip("link", "add", "name", "br7", "type", "bridge");
        String other = IfcfgFiles.vlanContent(VlanSpec.of(7, "eth1", "br7"));
        Files.writeString(scripts.resolve("ifcfg-br7"), other);
        VlanManager.DeleteResult deleted = manager.delete(VlanSpec.of(7, "eth0", "br7"), false);
        assertEquals(List.of(), deleted.changes());
        assertTrue(deleted.bridgeKept().contains("ifcfg-br7 does not describe bridge br7"), deleted.bridgeKept());
        assertTrue(ns.links().get("br7").isBridge());
        assertEquals(other, Files.readString(scripts.resolve("ifcfg-br7")));
    }

    @Test
    void concurrentCallsOnTheSameVlanRunOneAfterAnother() throws Exception {
        ns.ip("link", "set", "lo", "up");
        List<Callable<String>> creates = new ArrayList<>();
        for (int i = 0; i < 6; i++) {
            creates.add(() -> {
                try {
                    manager.create(VlanSpec.of(5, "lo", "abiquo_5"));
                    return "created";
                } catch (AimException failure) {
                    return failure.reason() + " " + failure.getMessage().contains("undone: deleted bridge abiquo_5");
                }
            });
        }
        // each call made its own bridge and removed it again: none saw another's half-made state
        assertEquals(List.of("VLAN_STEP_FAILED true"), runAll(creates).stream().distinct().toList());
        assertFalse(ns.links().containsKey("abiquo_5"));
        assertEquals(List.of(), fileNames());

        managedVlanWithBridge(5, "eth0", "abiquo_5");
        List<Callable<String>> deletes = new ArrayList<>();
        for (int i = 0; i < 8; i++) {
            deletes.add(() -> manager.delete(VlanSpec.of(5, "eth0", "abiquo_5"), false).changes().toString());
        }
        List<String> outcomes = runAll(deletes);
        assertEquals(1, outcomes.stream().filter(o -> o.contains("bridge deleted abiquo_5")).count(),
                outcomes::toString);
        assertEquals(7, outcomes.stream().filter("[]"::equals).count(), outcomes::toString);
    }

    @Test
    void differentVlansAreDeletedInParallel() throws Exception {
        List<Callable<String>> deletes = new ArrayList<>();
        for (int tag = 1; tag <= 6; tag++) {
            managedVlanWithBridge(tag, "eth0", "abiquo_" + tag);
            int t = tag;
            deletes.add(() -> manager.delete(VlanSpec.of(t, "eth0", "abiquo_" + t), false).changes().get(0)
                    .toString());
        }
        assertEquals(6, runAll(deletes).stream().filter(o -> o.startsWith("bridge deleted")).count());
        assertEquals(List.of(), fileNames());
        assertEquals(List.of("lo"), List.copyOf(ns.links().keySet()));
    }

    @Test
    void listShowsEachManagedVlanAndBridgeWithItsLiveState() throws Exception {
        ns.veth("eth0", "peer0");
        managedVlanWithBridge(5, "eth0", "abiquo_5");
        ns.ip("link", "set", "abiquo_5", "up");
        ns.veth("vnet0", "vm0");
        ns.ip("link", "set", "vnet0", "master", "abiquo_5");
        VlanManager.Listing listing = manager.list();
        assertEquals(1, listing.vlans().size());
        VlanState vlan = listing.vlans().get(0);
        assertEquals(VlanSpec.of(5, "eth0", "abiquo_5"), vlan.spec());
        assertEquals("ifcfg-abiquo_eth0.5", vlan.fileName());
        assertFalse(vlan.linkPresent());
        assertTrue(vlan.parentPresent());
        assertTrue(vlan.bridgeUp());
        assertFalse(vlan.complete());
        assertEquals(1, listing.bridges().size());
        BridgeState bridge = listing.bridges().get(0);
        assertEquals(new BridgeState("abiquo_5", "ifcfg-abiquo_5", true, true, bridge.operState(), List.of("vnet0")),
                bridge);
    }

    @Test
    void restoreSaysPerVlanWhatFailedAndWhichFilesItCouldNotRead() throws Exception {
        write(VlanSpec.of(5, "lo", "abiquo_5"));
        Files.writeString(scripts.resolve("ifcfg-abiquo_eth0.x"), "VLAN=yes\nDEVICE=eth0.x\n");
        VlanManager.RestoreResult result = manager.restore();
        assertEquals(1, result.results().size());
        assertTrue(result.results().get(0).error().contains("create VLAN interface lo.5"),
                result.results().get(0).error());
        assertEquals(1, result.unreadableFiles().size());
        assertTrue(result.unreadableFiles().get(0).startsWith("ifcfg-abiquo_eth0.x: "));
        assertFalse(ns.links().containsKey("abiquo_5"), "the failed restore removed the bridge it made");
        assertEquals(List.of("ifcfg-abiquo_5", "ifcfg-abiquo_eth0.x", "ifcfg-abiquo_lo.5"), fileNames(),
                "files are kept");
    }

    @Test
    void aFileWithBytesThatAreNotUtf8NeitherStopsTheListingNorTheRestore() throws Exception {
        ns.veth("eth0", "peer0");
        // a Latin-1 comment in a good file, and a value AIM needs spoilt in another
        Files.write(scripts.resolve("ifcfg-abiquo_lo.5"), ("# r\u00e9seau\n" + IfcfgFiles.vlanContent(
                VlanSpec.of(5, "lo", "abiquo_5"))).getBytes(StandardCharsets.ISO_8859_1));
        Files.write(scripts.resolve("ifcfg-abiquo_eth0.6"), "VLAN=yes\nDEVICE=eth0.6\nBRIDGE=r\u00e9seau\n"
                .getBytes(StandardCharsets.ISO_8859_1));

        VlanManager.Listing listing = manager.list();
        assertEquals(List.of(VlanSpec.of(5, "lo", "abiquo_5")), listing.vlans().stream().map(VlanState::spec)
                .toList());

        VlanManager.RestoreResult result = manager.restore();
        assertEquals(1, result.results().size(), "the good file's VLAN was tried: " + result);
        assertTrue(result.results().get(0).error().contains("create VLAN interface lo.5"),
                result.results().get(0).error());
        assertEquals(List.of("ifcfg-abiquo_eth0.6: BRIDGE= holds bytes that are not UTF-8"), result.unreadableFiles());
    }

    @Test
    void checkReportsWhatTheNodeHasAndLacksWithoutLeavingProbes() throws Exception {
        List<String> before = List.copyOf(ns.links().keySet());
        Map<VlanManager.CheckKind, VlanManager.Check> checks = checks(manager);
        assertTrue(checks.get(VlanManager.CheckKind.IP_TOOL).ok());
        assertTrue(checks.get(VlanManager.CheckKind.IP_TOOL).detail().contains("iproute2"));
        assertTrue(checks.get(VlanManager.CheckKind.NAMESPACE).ok());
        assertTrue(checks.get(VlanManager.CheckKind.BRIDGE_SUPPORT).ok());
        assertTrue(checks.get(VlanManager.CheckKind.SCRIPTS_FOLDER).ok());
        VlanManager.Check vlan = checks.get(VlanManager.CheckKind.VLAN_SUPPORT);
        if (!vlan.ok()) {   // this machine's kernel: no 8021q
            assertTrue(vlan.detail().contains("no 802.1Q support") && vlan.detail().contains("Unknown device type"),
                    vlan.detail());
        }
        assertNull(checks.get(VlanManager.CheckKind.IFUP_TOOLS));
        assertEquals(before, List.copyOf(ns.links().keySet()));

        VlanManager noFolder = ns.manager(scripts.resolve("absent"), health);
        VlanManager.Check folder = checks(noFolder).get(VlanManager.CheckKind.SCRIPTS_FOLDER);
        assertFalse(folder.ok());
        assertTrue(folder.detail().contains(scripts.resolve("absent") + " ([vlan] networkScripts) does not exist"));
    }

    @Test
    void aMissingNamespaceIsNotServingUntilItExists() throws Exception {
        String name = "aimnet-absent-" + ProcessHandle.current().pid();
        RecordingHealth late = new RecordingHealth();
        VlanManager waiting = new VlanManager(new IpTool(new com.abiquo.aim.core.command.CommandRunner(),
                java.util.Optional.of(name), java.time.Duration.ofSeconds(10)), new IfcfgFiles(scripts), late,
                VlanManager.Ifup.off());
        waiting.startUp(true);
        assertTrue(late.last().startsWith("NOT_SERVING") && late.last().contains(name), late.last());
        AimException failure = assertThrows(AimException.class, waiting::list);
        assertEquals(Status.Code.FAILED_PRECONDITION, failure.code());
        assertEquals("NAMESPACE_MISSING", failure.reason().name());
        assertTrue(failure.getMessage().contains("ip netns add " + name), failure.getMessage());
        assertFalse(checks(waiting).get(VlanManager.CheckKind.NAMESPACE).ok());
        TestNamespace.run("ip", "netns", "add", name);
        try {
            assertEquals(List.of(), waiting.list().vlans());
            assertEquals("SERVING", late.last());
        } finally {
            TestNamespace.run("ip", "netns", "delete", name);
        }
        assertEquals("NAMESPACE_MISSING", assertThrows(AimException.class, waiting::list).reason().name());
        assertTrue(late.last().startsWith("NOT_SERVING"), "a namespace deleted under a running agent: " + late.last());
    }

    @Test
    void withUseIfupAFailedIfupIsUndoneWithIfdownAndTheFilesGo(@TempDir Path bin) throws Exception {
        VlanManager ifupManager = ifupManager(bin);
        ns.ip("link", "set", "lo", "up");
        AimException failure = assertThrows(AimException.class,
                () -> ifupManager.create(VlanSpec.of(5, "lo", "abiquo_5")));
        assertEquals("IFUP_STEP_FAILED", failure.reason().name());
        assertEquals("ifup ifcfg-abiquo_lo.5", failure.metadata().get("step"));
        assertTrue(failure.getMessage().contains("undone: deleted lo.5 if the failed ifup left it, ran ifdown "
                + "ifcfg-abiquo_5, removed ifcfg-abiquo_lo.5, removed ifcfg-abiquo_5"), failure.getMessage());
        assertEquals(List.of("ifup ifcfg-abiquo_5", "ifup ifcfg-abiquo_lo.5", "ifdown ifcfg-abiquo_5"),
                Files.readAllLines(bin.resolve("calls.log")));
        assertFalse(ns.links().containsKey("abiquo_5"));
        assertEquals(List.of(), fileNames());
    }

    @Test
    void withUseIfupDeleteRunsIfdownAndCheckFindsTheTools(@TempDir Path bin) throws Exception {
        VlanManager ifupManager = ifupManager(bin);
        managedVlanWithBridge(5, "eth0", "abiquo_5");
        VlanManager.DeleteResult deleted = ifupManager.delete(VlanSpec.of(5, "eth0", "abiquo_5"), false);
        assertEquals(List.of(new VlanChange(VlanChange.Kind.IFUP_RUN, "ifcfg-abiquo_5"),
                new VlanChange(VlanChange.Kind.BRIDGE_DELETED, "abiquo_5"),
                new VlanChange(VlanChange.Kind.FILE_REMOVED, "ifcfg-abiquo_eth0.5"),
                new VlanChange(VlanChange.Kind.FILE_REMOVED, "ifcfg-abiquo_5")), deleted.changes());
        assertFalse(ns.links().containsKey("abiquo_5"));
        assertTrue(checks(ifupManager).get(VlanManager.CheckKind.IFUP_TOOLS).ok());

        VlanManager missing = new VlanManager(ns.ipTool(), new IfcfgFiles(scripts), health,
                new VlanManager.Ifup(true, "aimnet-no-such-ifup", "aimnet-no-such-ifdown"));
        VlanManager.Check tools = checks(missing).get(VlanManager.CheckKind.IFUP_TOOLS);
        assertFalse(tools.ok());
        assertTrue(tools.detail().contains("aimnet-no-such-ifup and aimnet-no-such-ifdown not found"), tools.detail());
    }

    @Test
    void aCommandThatOutlivesTheTimeoutIsDeadlineExceededAndUndone(@TempDir Path bin) throws Exception {
        Path ifup = FakeInitscripts.write(bin, scripts);
        // an ifup that makes the bridge, then hangs: the timeout kills it, and what it made must go too
        Files.writeString(ifup, "#!/bin/sh\nip link add name abiquo_5 type bridge\nexec sleep 30\n");
        VlanManager slow = new VlanManager(new IpTool(new com.abiquo.aim.core.command.CommandRunner(),
                java.util.Optional.of(ns.name), java.time.Duration.ofSeconds(5)), new IfcfgFiles(scripts), health,
                new VlanManager.Ifup(true, ifup.toString(), bin.resolve("ifdown").toString()));
        long start = System.nanoTime();
        AimException failure = assertThrows(AimException.class, () -> slow.create(VlanSpec.of(5, "lo", "abiquo_5")));
        // every ip command has the same 5 s, long enough for a loaded machine; the hung ifup's sleep is 30 s
        assertTrue(System.nanoTime() - start < 25_000_000_000L, "the timeout did not stop the command");
        assertEquals(Status.Code.DEADLINE_EXCEEDED, failure.code());
        assertEquals("ifup ifcfg-abiquo_5", failure.metadata().get("step"));
        assertTrue(failure.getMessage().contains("undone: deleted abiquo_5 if the failed ifup left it, removed "
                + "ifcfg-abiquo_lo.5, removed ifcfg-abiquo_5"), failure.getMessage());
        assertEquals(List.of(), fileNames());
        assertFalse(ns.links().containsKey("abiquo_5"));
    }

    @Test
    void filesThatSaySomethingElseAreAConflictBeforeAnyChange() throws Exception {
        ns.veth("eth0", "peer0");
        Files.writeString(scripts.resolve("ifcfg-abiquo_5"), "DEVICE=eth7\nTYPE=Ethernet\n");
        AimException bridgeFile = assertThrows(AimException.class,
                () -> manager.create(VlanSpec.of(5, "eth0", "abiquo_5")));
        assertEquals("FILE_CONFLICT", bridgeFile.reason().name());
        assertTrue(bridgeFile.getMessage().contains("DEVICE=eth7"), bridgeFile.getMessage());
        assertFalse(ns.links().containsKey("abiquo_5"));

        write(VlanSpec.of(6, "eth0", "abiquo_x"));
        AimException vlanFile = assertThrows(AimException.class,
                () -> manager.delete(VlanSpec.of(6, "eth0", "abiquo_6"), false));
        assertEquals("FILE_CONFLICT", vlanFile.reason().name());
        assertTrue(vlanFile.getMessage().contains("in bridge abiquo_x"), vlanFile.getMessage());
        assertTrue(Files.exists(scripts.resolve("ifcfg-abiquo_eth0.6")));
    }

    // ---------------------------------------------------------------- helpers

    private VlanManager ifupManager(Path bin) throws Exception {
        Path ifup = FakeInitscripts.write(bin, scripts);
        return new VlanManager(ns.ipTool(), new IfcfgFiles(scripts), health,
                new VlanManager.Ifup(true, ifup.toString(), bin.resolve("ifdown").toString()));
    }

    /** What a create leaves except the VLAN link itself (which this kernel cannot make): bridge and both files. */
    private void managedVlanWithBridge(int tag, String parent, String bridge) throws Exception {
        ns.ip("link", "add", "name", bridge, "type", "bridge");
        write(VlanSpec.of(tag, parent, bridge));
    }

    private void write(VlanSpec spec) throws AimException {
        IfcfgFiles files = new IfcfgFiles(scripts);
        files.write(IfcfgFiles.bridgeFileName(spec.bridge()), IfcfgFiles.bridgeContent(spec.bridge()));
        files.write(IfcfgFiles.vlanFileName(spec), IfcfgFiles.vlanContent(spec));
    }

    private List<String> fileNames() throws Exception {
        try (Stream<Path> entries = Files.list(scripts)) {
            return entries.map(p -> p.getFileName().toString()).sorted().toList();
        }
    }

    private static Map<VlanManager.CheckKind, VlanManager.Check> checks(VlanManager manager) {
        Map<VlanManager.CheckKind, VlanManager.Check> byKind = new java.util.EnumMap<>(VlanManager.CheckKind.class);
        manager.check().forEach(check -> byKind.put(check.kind(), check));
        return byKind;
    }

    private static List<String> runAll(List<Callable<String>> calls) throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(calls.size());
        try {
            List<String> outcomes = new ArrayList<>();
            for (Future<String> future : pool.invokeAll(calls)) {
                outcomes.add(future.get());
            }
            return outcomes;
        } finally {
            pool.shutdownNow();
        }
    }
}
