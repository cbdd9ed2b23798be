package com.abiquo.aim.network;

import com.abiquo.aim.core.error.AimException;
import com.abiquo.aim.testing.NegativeCheck;
import com.abiquo.aim.testing.RecordingHealth;
import com.abiquo.aim.testing.Waits;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

/**
 * The VLAN path on a kernel with 802.1Q, run inside the throwaway VM by {@link VlanRealKernelTest} (a plain main: a
 * JUnit launcher costs seconds under TCG). Writes one "PASS name" or "FAIL name: why" line per scenario to
 * results.txt in the folder given as argument, and copies the ifcfg files it wrote there.
 */
public final class VlanVmScenario {
    private final Path out;
    private final List<String> lines = new ArrayList<>();
    private final TestNamespace ns;
    private final Path scripts;
    private final RecordingHealth health = new RecordingHealth();
    private VlanManager manager;

    private VlanVmScenario(Path out) throws Exception {
        this.out = out;
        this.ns = new TestNamespace();
        this.scripts = Files.createTempDirectory("aimnet-scripts");
        ns.veth("eth0", "peer0");
        ns.veth("vnet0", "vm0");
        manager = ns.manager(scripts, health);
        manager.startUp(true);
    }

    public static void main(String[] args) throws Exception {
        Path out = Path.of(args[0]);
        VlanVmScenario scenario = new VlanVmScenario(out);
        scenario.runAll();
    }

    private void runAll() throws IOException {
        check("check reports 802.1Q and bridges", this::checkReportsSupport);
        check("create makes bridge, VLAN, links up and files", this::create);
        check("create again changes nothing; another bridge is refused", this::createAgain);
        check("frames tagged 5 on the wire reach the bridge, tag 6 does not", this::taggedTraffic);
        check("concurrent creates of one VLAN: one does the work", this::concurrentCreates);
        check("written files match the original byte for byte", this::files);
        check("restore after a simulated reboot re-creates identical links", this::restoreAfterReboot);
        check("a failure after the VLAN step undoes links and files", this::rollbackAfterVlanStep);
        check("a tag already carried by another interface is refused", this::tagInUse);
        check("delete refuses VM ports unless forced, then removes all", this::deleteWithPorts);
        check("delete of the other VLAN removes it; again changes nothing", this::deleteAgain);
        check("with useIfup, ifup/ifdown create and delete the same links", this::withIfup);
        check("a create that fails on a shared parent leaves it up for the other", this::sharedParentStaysUp);
        try {
            ns.close();
        } catch (AimException ignored) {
            // the VM is thrown away anyway
        }
        long failed = lines.stream().filter(line -> line.startsWith("FAIL")).count();
        lines.add("SUMMARY passed=" + (lines.size() - failed) + " failed=" + failed);
        Files.write(out.resolve("results.txt"), lines, StandardCharsets.UTF_8);
        lines.forEach(System.out::println);
    }

    private interface Step {
        void run() throws Exception;
    }

    private String fdb(String bridge) throws AimException {
        return TestNamespace.run("bridge", "-n", ns.name, "-json", "fdb", "show", "br", bridge).stdout();
    }

    private void check(String name, Step step) {
        try {
            step.run();
            lines.add("PASS " + name);
        } catch (Throwable failure) {
            lines.add("FAIL " + name + ": " + String.valueOf(failure).replace('\n', ' '));
        }
    }

    private void checkReportsSupport() {
        for (VlanManager.Check check : manager.check()) {
            expect(check.ok(), check.kind() + " not ok: " + check.detail());
        }
    }

    private void create() throws Exception {
        VlanManager.CreateResult result = manager.create(VlanSpec.of(5, "eth0", "abiquo_5"));
        expect(result.changes().equals(List.of(
                change(VlanChange.Kind.BRIDGE_CREATED, "abiquo_5"), change(VlanChange.Kind.LINK_UP, "abiquo_5"),
                change(VlanChange.Kind.VLAN_CREATED, "eth0.5"), change(VlanChange.Kind.VLAN_ATTACHED, "eth0.5"),
                change(VlanChange.Kind.LINK_UP, "eth0"), change(VlanChange.Kind.LINK_UP, "eth0.5"),
                change(VlanChange.Kind.FILE_WRITTEN, "ifcfg-abiquo_5"),
                change(VlanChange.Kind.FILE_WRITTEN, "ifcfg-abiquo_eth0.5"))), "changes " + result.changes());
        expect(result.vlan().complete(), "state " + result.vlan());
        LinkInfo vlan = ns.links().get("eth0.5");
        expect(vlan.isVlan() && vlan.vlanId() == 5 && "802.1Q".equals(vlan.vlanProtocol())
                && "eth0".equals(vlan.parent()) && "abiquo_5".equals(vlan.master()) && vlan.adminUp(), "link " + vlan);
        expect(ns.links().get("abiquo_5").adminUp(), "bridge down");
    }

    private void createAgain() throws Exception {
        VlanManager.CreateResult again = manager.create(VlanSpec.of(5, "eth0", "abiquo_5"));
        expect(again.changes().isEmpty(), "changes " + again.changes());
        expect(again.vlan().complete(), "state " + again.vlan());
        try {
            manager.create(VlanSpec.of(5, "eth0", "abiquo_x"));
            expect(false, "moved eth0.5 to another bridge");
        } catch (AimException refused) {
            expect("VLAN_IN_OTHER_BRIDGE".equals(refused.reason().name()), refused.getMessage());
        }
        expect(!ns.links().containsKey("abiquo_x") && "abiquo_5".equals(ns.links().get("eth0.5").master()),
                "a refused create changed links");
    }

    /**
     * The far end of eth0's wire, in its own namespace, sends frames on VLAN 5 and VLAN 6 (IPv6 duplicate address
     * detection, sent when a link comes up): the bridge must learn the VLAN 5 sender's address on eth0.5 and never
     * see the VLAN 6 one.
     */
    private void taggedTraffic() throws Exception {
        String far = ns.name + "-far";
        TestNamespace.run("ip", "netns", "add", far);
        try {
            ns.ip("link", "set", "peer0", "netns", far);
            for (String tag : List.of("5", "6")) {
                // a VLAN interface takes its parent's MAC address unless given its own
                TestNamespace.run("ip", "-n", far, "link", "add", "link", "peer0", "name", "peer0." + tag,
                        "address", "02:aa:00:00:00:0" + tag, "type", "vlan", "id", tag);
            }
            TestNamespace.run("ip", "-n", far, "link", "set", "peer0", "up");
            TestNamespace.run("ip", "-n", far, "link", "set", "peer0.5", "up");
            TestNamespace.run("ip", "-n", far, "link", "set", "peer0.6", "up");
            String mac5 = mac(far, "peer0.5");
            String mac6 = mac(far, "peer0.6");
            expect(mac5.equals("02:aa:00:00:00:05") && mac6.equals("02:aa:00:00:00:06"), mac5 + " " + mac6);
            // the far end's VLAN interfaces send frames by themselves once up (IPv6 duplicate address detection,
            // router solicitations): wait until the bridge has learnt VLAN 5's (TCG is slow: a generous bound)
            String fdb = Waits.awaitValue("bridge abiquo_5 learns " + mac5, Duration.ofSeconds(20),
                    Duration.ofMillis(200), () -> fdb("abiquo_5"), table -> table.contains(mac5));
            java.util.regex.Matcher learned = java.util.regex.Pattern.compile("\\{[^}]*\"mac\":\"" + mac5
                    + "\"[^}]*\"ifname\":\"eth0\\.5\"|\\{[^}]*\"ifname\":\"eth0\\.5\"[^}]*\"mac\":\""
                    + mac5 + "\"").matcher(fdb);
            expect(learned.find(), "bridge did not learn " + mac5 + " on eth0.5: " + fdb);
            expect(!fdb.contains(mac6), "a VLAN 6 frame reached bridge abiquo_5: " + fdb);
            // Bounded negative check: VLAN 6's first frames left with VLAN 5's, which have arrived; two more
            // seconds (many times the learning of VLAN 5's after its link came up) cover a late one.
            NegativeCheck.during(Duration.ofSeconds(2), "a VLAN 6 frame reaches bridge abiquo_5",
                    () -> fdb("abiquo_5").contains(mac6));
        } finally {
            // deleting the namespace would destroy peer0 and with it its veth peer eth0: bring it home first
            TestNamespace.RUNNER_FOR_CLEANUP.run(List.of("ip", "-n", far, "link", "delete", "dev", "peer0.5"),
                    java.time.Duration.ofSeconds(10));
            TestNamespace.RUNNER_FOR_CLEANUP.run(List.of("ip", "-n", far, "link", "delete", "dev", "peer0.6"),
                    java.time.Duration.ofSeconds(10));
            TestNamespace.RUNNER_FOR_CLEANUP.run(List.of("ip", "-n", far, "link", "set", "peer0", "netns", ns.name),
                    java.time.Duration.ofSeconds(10));
            TestNamespace.run("ip", "netns", "delete", far);
            ns.ip("link", "set", "peer0", "up");
        }
    }

    private static String mac(String namespace, String link) throws AimException {
        String json = TestNamespace.run("ip", "-n", namespace, "-json", "link", "show", "dev", link).stdout();
        java.util.regex.Matcher address = java.util.regex.Pattern.compile("\"address\":\"([0-9a-f:]{17})\"")
                .matcher(json);
        return address.find() ? address.group(1) : "";
    }

    private void concurrentCreates() throws Exception {
        List<Callable<List<VlanChange>>> calls = new ArrayList<>();
        for (int i = 0; i < 4; i++) {
            calls.add(() -> manager.create(VlanSpec.of(7, "eth0", "abiquo_7")).changes());
        }
        ExecutorService pool = Executors.newFixedThreadPool(4);
        int working = 0;
        int idle = 0;
        for (Future<List<VlanChange>> future : pool.invokeAll(calls)) {
            List<VlanChange> changes = future.get();
            if (changes.contains(change(VlanChange.Kind.VLAN_CREATED, "eth0.7"))) {
                working++;
            } else if (changes.isEmpty()) {
                idle++;
            }
        }
        pool.shutdown();
        expect(working == 1 && idle == 3, "working=" + working + " idle=" + idle);
    }

    private void files() throws Exception {
        Files.createDirectories(out.resolve("files"));
        for (String name : List.of("ifcfg-abiquo_5", "ifcfg-abiquo_eth0.5", "ifcfg-abiquo_7", "ifcfg-abiquo_eth0.7")) {
            Files.copy(scripts.resolve(name), out.resolve("files").resolve(name), StandardCopyOption.REPLACE_EXISTING);
        }
        String expected = "# Autogenerated by Abiquo AIM\n\nVLAN=yes\nDEVICE=eth0.5\nBOOTPROTO=none\nONBOOT=yes\n"
                + "BRIDGE=abiquo_5\n";
        expect(expected.equals(Files.readString(scripts.resolve("ifcfg-abiquo_eth0.5"))), "VLAN file differs");
    }

    private void restoreAfterReboot() throws Exception {
        List<String> names = List.of("abiquo_5", "eth0.5", "abiquo_7", "eth0.7", "eth0");
        Map<String, String> before = snapshot(names);
        for (String link : List.of("eth0.5", "eth0.7", "abiquo_5", "abiquo_7")) {
            ns.ip("link", "delete", "dev", link);
        }
        ns.ip("link", "set", "eth0", "down");
        // a fresh agent starting on the "rebooted" node, as aim-server would start it
        manager = ns.manager(scripts, health);
        manager.startUp(true);
        Map<String, String> after = snapshot(names);
        expect(before.equals(after), "before " + before + " after " + after);
        for (VlanState state : manager.list().vlans()) {
            expect(state.complete(), "listed " + state);
        }
        expect(manager.restore().results().stream().allMatch(r -> r.changes().isEmpty() && r.error().isEmpty()),
                "a second restore changed something");
    }

    private Map<String, String> snapshot(List<String> names) throws AimException {
        Map<String, LinkInfo> links = ns.links();
        Map<String, String> shape = new java.util.TreeMap<>();
        for (String name : names) {
            LinkInfo link = links.get(name);
            shape.put(name, link == null ? "missing" : link.kind() + " id=" + link.vlanId() + " proto="
                    + link.vlanProtocol() + " parent=" + link.parent() + " master=" + link.master() + " up="
                    + link.adminUp() + " mtu=" + link.mtu());
        }
        return shape;
    }

    private void rollbackAfterVlanStep() throws Exception {
        Path unwritable = scripts.resolve("absent-folder");
        VlanManager broken = ns.manager(unwritable, health);
        try {
            broken.create(VlanSpec.of(9, "eth0", "abiquo_9"));
            expect(false, "create succeeded without a scripts folder");
        } catch (AimException failure) {
            expect(failure.getMessage().contains("undone: ") && failure.getMessage().contains("deleted eth0.9")
                    && failure.getMessage().contains("deleted bridge abiquo_9"), failure.getMessage());
            expect(failure.getMessage().contains(unwritable.resolve("ifcfg-abiquo_9").toString()),
                    failure.getMessage());
        }
        Map<String, LinkInfo> links = ns.links();
        expect(!links.containsKey("eth0.9") && !links.containsKey("abiquo_9"), "links left: " + links.keySet());
    }

    private void tagInUse() throws Exception {
        ns.ip("link", "add", "link", "eth0", "name", "myvlan11", "type", "vlan", "id", "11");
        try {
            manager.create(VlanSpec.of(11, "eth0", "abiquo_11"));
            expect(false, "created a second interface for tag 11");
        } catch (AimException failure) {
            expect("VLAN_TAG_IN_USE".equals(failure.reason().name()) && failure.getMessage().contains("myvlan11"),
                    failure.getMessage());
        }
        expect(!ns.links().containsKey("abiquo_11"), "bridge made before refusing");
    }

    private void deleteWithPorts() throws Exception {
        ns.ip("link", "set", "vnet0", "master", "abiquo_5");
        VlanSpec spec = VlanSpec.of(5, "eth0", "abiquo_5");
        try {
            manager.delete(spec, false);
            expect(false, "deleted a bridge with a VM port");
        } catch (AimException refused) {
            expect("BRIDGE_HAS_PORTS".equals(refused.reason().name()), refused.getMessage());
        }
        expect(ns.links().containsKey("eth0.5"), "refused delete removed the VLAN");
        VlanManager.DeleteResult forced = manager.delete(spec, true);
        expect(forced.detachedPorts().equals(List.of("vnet0")), "detached " + forced.detachedPorts());
        expect(forced.changes().equals(List.of(change(VlanChange.Kind.VLAN_DELETED, "eth0.5"),
                change(VlanChange.Kind.BRIDGE_DELETED, "abiquo_5"),
                change(VlanChange.Kind.FILE_REMOVED, "ifcfg-abiquo_eth0.5"),
                change(VlanChange.Kind.FILE_REMOVED, "ifcfg-abiquo_5"))), "changes " + forced.changes());
        Map<String, LinkInfo> links = ns.links();
        expect(!links.containsKey("eth0.5") && !links.containsKey("abiquo_5") && links.containsKey("vnet0"),
                "links " + links.keySet());
    }

    private void deleteAgain() throws Exception {
        VlanSpec spec = VlanSpec.of(7, "eth0", "abiquo_7");
        expect(manager.delete(spec, false).changes().size() == 4, "first delete");
        expect(manager.delete(spec, false).changes().isEmpty(), "second delete changed something");
        try (var entries = Files.list(scripts)) {
            List<String> left = entries.map(p -> p.getFileName().toString()).filter(n -> n.startsWith("ifcfg"))
                    .toList();
            expect(left.isEmpty(), "files left " + left);
        }
    }

    /** Stand-ins for initscripts' ifup/ifdown: they read the ifcfg file and do what RHEL's would, with ip. */
    private void withIfup() throws Exception {
        Path bin = Files.createTempDirectory("aimnet-ifup");
        Path ifup = FakeInitscripts.write(bin, scripts);
        VlanManager ifupManager = new VlanManager(ns.ipTool(), new IfcfgFiles(scripts), health,
                new VlanManager.Ifup(true, ifup.toString(), bin.resolve("ifdown").toString()));
        VlanSpec spec = VlanSpec.of(8, "eth0", "abiquo_8");
        VlanManager.CreateResult created = ifupManager.create(spec);
        expect(created.changes().equals(List.of(change(VlanChange.Kind.FILE_WRITTEN, "ifcfg-abiquo_8"),
                change(VlanChange.Kind.FILE_WRITTEN, "ifcfg-abiquo_eth0.8"),
                change(VlanChange.Kind.IFUP_RUN, "ifcfg-abiquo_8"),
                change(VlanChange.Kind.IFUP_RUN, "ifcfg-abiquo_eth0.8"))), "create " + created.changes());
        expect(created.vlan().complete(), "state " + created.vlan());
        expect(ifupManager.create(spec).changes().isEmpty(), "second create changed something");
        VlanManager.DeleteResult deleted = ifupManager.delete(spec, false);
        expect(deleted.changes().equals(List.of(change(VlanChange.Kind.IFUP_RUN, "ifcfg-abiquo_eth0.8"),
                change(VlanChange.Kind.VLAN_DELETED, "eth0.8"), change(VlanChange.Kind.IFUP_RUN, "ifcfg-abiquo_8"),
                change(VlanChange.Kind.BRIDGE_DELETED, "abiquo_8"),
                change(VlanChange.Kind.FILE_REMOVED, "ifcfg-abiquo_eth0.8"),
                change(VlanChange.Kind.FILE_REMOVED, "ifcfg-abiquo_8"))), "delete " + deleted.changes());
        expect(!ns.links().containsKey("eth0.8") && !ns.links().containsKey("abiquo_8"), "links left");
    }

    /**
     * Two creates on one parent that is down, at the same time: B fails after bringing the parent up, and its undo
     * must not take the parent down under A's finished VLAN. B fails for real when writing its first file: the
     * folder is a tmpfs with inodes for itself and A's two files (written beforehand) only.
     */
    private void sharedParentStaysUp() throws Exception {
        ns.veth("eth1", "peer1");
        Path full = Files.createTempDirectory("aimnet-full");
        TestNamespace.run("mount", "-t", "tmpfs", "-o", "size=64k,nr_inodes=3", "tmpfs", full.toString());
        try {
            VlanSpec a = VlanSpec.of(20, "eth1", "abiquo_20");
            VlanSpec b = VlanSpec.of(21, "eth1", "abiquo_21");
            IfcfgFiles files = new IfcfgFiles(full);
            files.write(IfcfgFiles.bridgeFileName(a.bridge()), IfcfgFiles.bridgeContent(a.bridge()));
            files.write(IfcfgFiles.vlanFileName(a), IfcfgFiles.vlanContent(a));
            VlanManager shared = ns.manager(full, health);
            shared.startUp(false);
            List<Callable<String>> calls = new ArrayList<>();
            for (VlanSpec spec : List.of(a, b)) {
                calls.add(() -> {
                    try {
                        return shared.create(spec).vlan().complete() ? "complete" : "incomplete";
                    } catch (AimException failure) {
                        return failure.reason() + " (" + failure.getMessage() + ")";
                    }
                });
            }
            ExecutorService pool = Executors.newFixedThreadPool(2);
            List<String> outcomes = new ArrayList<>();
            for (Future<String> future : pool.invokeAll(calls)) {
                outcomes.add(future.get());
            }
            pool.shutdown();
            expect(outcomes.get(0).equals("complete") && outcomes.get(1).startsWith("SCRIPTS_FOLDER_FAILURE "),
                    "outcomes " + outcomes);
            Map<String, LinkInfo> links = ns.links();
            expect(links.get("eth1").adminUp(), "eth1 is down under eth1.20: " + links.get("eth1"));
            LinkInfo vlan = links.get("eth1.20");
            expect(vlan != null && vlan.adminUp() && "abiquo_20".equals(vlan.master()), "eth1.20 " + vlan);
            expect(!links.containsKey("eth1.21") && !links.containsKey("abiquo_21"), "links " + links.keySet());
        } finally {
            TestNamespace.RUNNER_FOR_CLEANUP.run(List.of("umount", full.toString()), java.time.Duration.ofSeconds(10));
        }
    }

    private static VlanChange change(VlanChange.Kind kind, String target) {
        return new VlanChange(kind, target);
    }

    private static void expect(boolean condition, String otherwise) {
        if (!condition) {
            throw new AssertionError(otherwise);
        }
    }
}
