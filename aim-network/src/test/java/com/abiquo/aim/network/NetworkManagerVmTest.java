package com.abiquo.aim.network;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.abiquo.aim.testing.SystemTestRequirements;
import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonParser;
import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * A real NetworkManager brings up what AIM's keyfiles describe. It cannot run on the build machine itself: its
 * kernel has no 802.1Q, and systemd does not run here. So it runs in the module's VM harness (src/test/vm: a stock
 * Debian kernel, this machine's / read-only), where src/test/vm/networkmanager starts a system D-Bus, udevd (without
 * it NetworkManager leaves devices it did not create unmanaged) and NetworkManager 1.42 with the keyfile plugin
 * only (scripts/setup.d/45-networkmanager.sh installs it here, not started), on AIM's files for bridge abiquo_5 and
 * VLAN 5 on a veth eth0 written by this test. Then AIM's VLAN service with keyfiles ({@link KeyfileVmStep})
 * creates VLAN 7 while NetworkManager runs (after the reload NetworkManager knows AIM's profiles; it leaves the
 * links AIM made as they are, as external ones), and deletes it.
 */
@Tag("system")
class NetworkManagerVmTest {
    @Test
    void networkManagerBringsUpTheBridgeAndVlanOfAimsKeyfiles() throws Exception {
        SystemTestRequirements.requireExecutable(Path.of("/usr/sbin/NetworkManager"),
                "scripts/setup.d/45-networkmanager.sh");
        SystemTestRequirements.requireExecutable(Path.of("/usr/bin/dbus-daemon"), "scripts/setup.d/45-networkmanager.sh");
        Path xfer = Files.createTempDirectory(Files.createDirectories(Path.of("target").toAbsolutePath()),
                "vm-nm-");
        Path keyfiles = Files.createDirectories(xfer.resolve("keyfiles"));
        KeyfileFiles files = new KeyfileFiles(keyfiles, NetworkManagerReload.never());
        VlanSpec five = VlanSpec.of(5, "eth0", "abiquo_5");
        files.write(files.bridgeFile(five.bridge()), files.bridgeText(five.bridge()));
        files.write(files.vlanFile(five), files.vlanText(five));

        String classpath = System.getProperty("surefire.test.class.path", System.getProperty("java.class.path"));
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        String command = String.join(" ", "sh", quote(Path.of("src", "test", "vm", "networkmanager")
                .toAbsolutePath().toString()), quote(java), quote(classpath));
        ProcessBuilder builder = new ProcessBuilder(Path.of("src", "test", "vm", "run").toAbsolutePath().toString(),
                command).redirectErrorStream(true).redirectOutput(xfer.resolve("run.log").toFile());
        builder.environment().put("AIM_VM_XFER", xfer.toString());
        Process vm = builder.start();
        boolean finished = vm.waitFor(10, TimeUnit.MINUTES);
        if (!finished) {
            vm.destroyForcibly();
        }
        String log = Files.readString(xfer.resolve("run.log")) + "\n" + (Files.exists(xfer.resolve("nm.log"))
                ? Files.readString(xfer.resolve("nm.log")) : "(no nm.log)");
        assertTrue(finished, "the VM did not finish in 10 minutes");
        assertEquals(0, vm.exitValue(), "the VM run failed:\n" + log);

        assertLinks(xfer, 1, five, log);
        assertProfiles(xfer, "active-1.txt", five, ":activated");
        assertNoAddress(xfer, 1);
        String steps = Files.readString(xfer.resolve("step.txt"));
        assertTrue(steps.contains("running=true") && steps.contains("created [") && steps.contains("deleted ["),
                steps + "\n" + log);
        VlanSpec seven = VlanSpec.of(7, "eth0", "abiquo_7");
        assertLinks(xfer, 2, seven, log);
        assertProfiles(xfer, "connections-2.txt", seven, "");
        // after the delete: links, profiles and files gone, and NetworkManager did not bring them back
        Map<String, LinkInfo> after = IpLinkParser.parse(Files.readString(xfer.resolve("links-3.json"))).stream()
                .collect(Collectors.toMap(LinkInfo::name, Function.identity()));
        assertTrue(!after.containsKey("eth0.7") && !after.containsKey("abiquo_7"), after.keySet() + "\n" + log);
        assertTrue(after.containsKey("eth0.5") && after.containsKey("abiquo_5"), after.keySet() + "\n" + log);
        assertEquals(List.of("abiquo-abiquo_5", "abiquo-eth0.5"), Files.readAllLines(xfer.resolve(
                "connections-3.txt")).stream().filter(line -> line.startsWith("abiquo-")).map(line -> line.substring(
                0, line.indexOf(':'))).sorted().toList(), log);
        assertEquals(List.of("abiquo-abiquo_5.nmconnection", "abiquo-eth0.5.nmconnection"), Files.readAllLines(
                xfer.resolve("files-3.txt")));
    }

    /** The bridge (STP off) is up, the VLAN is up on its parent and enslaved to it. */
    private static void assertLinks(Path xfer, int round, VlanSpec spec, String log) throws Exception {
        String json = Files.readString(xfer.resolve("links-" + round + ".json"));
        Map<String, LinkInfo> links = IpLinkParser.parse(json).stream().collect(Collectors.toMap(LinkInfo::name,
                Function.identity()));
        LinkInfo bridge = links.get(spec.bridge());
        LinkInfo vlan = links.get(spec.device());
        assertTrue(bridge != null && bridge.isBridge() && bridge.adminUp(), spec.bridge() + ": " + bridge + "\n" + log);
        assertTrue(vlan != null && vlan.isVlan() && vlan.adminUp(), spec.device() + ": " + vlan + "\n" + log);
        assertEquals(spec.tag(), vlan.vlanId());
        assertEquals(spec.parent(), vlan.parent());
        assertEquals(spec.bridge(), vlan.master());
        assertEquals(0, stpState(json, spec.bridge()), "stp=false");
    }

    /** NetworkManager applied ipv4/ipv6.method=disabled: the bridge has no address, not even a link-local one. */
    private static void assertNoAddress(Path xfer, int round) throws Exception {
        JsonArray addresses = JsonParser.parseString(Files.readString(xfer.resolve("addr-" + round + ".json")))
                .getAsJsonArray().get(0).getAsJsonObject().getAsJsonArray("addr_info");
        assertEquals(0, addresses.size(), "ipv4 and ipv6 disabled: " + addresses);
    }

    /** NetworkManager lists AIM's two connections (id and uuid; with suffix ":activated": active on the link). */
    private static void assertProfiles(Path xfer, String file, VlanSpec spec, String suffix) throws Exception {
        List<String> connections = Files.readAllLines(xfer.resolve(file));
        for (String link : List.of(spec.bridge(), spec.device())) {
            String expected = KeyfileFiles.connectionId(link) + ":" + KeyfileFiles.uuid(link)
                    + (suffix.isEmpty() ? "" : ":" + link + suffix);
            assertTrue(connections.contains(expected), expected + " not in " + connections);
        }
    }

    private static int stpState(String json, String bridge) {
        for (JsonElement link : JsonParser.parseString(json).getAsJsonArray()) {
            if (link.getAsJsonObject().get("ifname").getAsString().equals(bridge)) {
                return link.getAsJsonObject().getAsJsonObject("linkinfo").getAsJsonObject("info_data")
                        .get("stp_state").getAsInt();
            }
        }
        throw new AssertionError("no " + bridge);
    }

    /** The command runs under the guest's /bin/sh; paths may hold spaces. */
    private static String quote(String text) {
        return "'" + String.join(File.pathSeparator, text.split(File.pathSeparator)).replace("'", "'\\''") + "'";
    }
}
