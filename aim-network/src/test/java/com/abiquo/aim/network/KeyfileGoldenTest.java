package com.abiquo.aim.network;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.abiquo.aim.core.command.CommandResult;
import com.abiquo.aim.core.command.CommandRunner;
import com.abiquo.aim.testing.SystemTestRequirements;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * AIM's keyfiles against what NetworkManager itself writes for the same bridge and VLAN: {@code nmcli --offline
 * connection add ...} (Debian's network-manager 1.42, installed by scripts/setup.d/45-networkmanager.sh; --offline
 * needs no daemon and prints the keyfile) is run at test time and both files are compared key by key. Two checks:
 * every key AIM writes has nmcli's value, and AIM's file read and written back by nmcli (--offline connection
 * modify, which parses it with NetworkManager's own keyfile reader and fills in the defaults) equals nmcli's file.
 */
@Tag("system")
class KeyfileGoldenTest {
    private static final CommandRunner RUNNER = new CommandRunner();

    private final KeyfileFiles files = new KeyfileFiles(Path.of("/nonexistent"), NetworkManagerReload.never());

    private static Map<String, String> flat(String keyfile) {
        Map<String, String> keys = new LinkedHashMap<>();
        Keyfile.parse(keyfile).groups().forEach((group, values) -> values.forEach((key, value) ->
                keys.put(group + "." + key, value)));
        return keys;
    }

    private static String nmcli(String stdin, String... arguments) throws Exception {
        SystemTestRequirements.requireExecutable(Path.of("/usr/bin/nmcli"), "scripts/setup.d/45-networkmanager.sh");
        List<String> command = new ArrayList<>(List.of("nmcli", "--offline"));
        command.addAll(List.of(arguments));
        CommandResult result;
        if (stdin == null) {
            result = RUNNER.run(command, Duration.ofSeconds(30));
        } else {
            // CommandRunner reads /dev/null: give nmcli the file through the shell's redirection, path only
            Path input = Files.createTempFile("aim-keyfile", ".nmconnection");
            try {
                Files.writeString(input, stdin);
                List<String> shell = new ArrayList<>(List.of("sh", "-c", "f=$1; shift; exec \"$@\" < \"$f\"", "sh",
                        input.toString()));
                shell.addAll(command);
                result = RUNNER.run(shell, Duration.ofSeconds(30));
            } finally {
                Files.deleteIfExists(input);
            }
        }
        assertEquals(0, result.exitCode(), String.join(" ", command) + ": " + result.stderr());
        return result.stdout();
    }

    private static void assertSameKeys(String expected, String actual, String what) {
        assertEquals(flat(expected), flat(actual), what);
    }

    /** Every key AIM writes is in nmcli's file with the same value. */
    private static void assertKeysAgree(String nmcliFile, String aimFile, String what) {
        Map<String, String> theirs = flat(nmcliFile);
        flat(aimFile).forEach((key, value) -> assertEquals(value, theirs.get(key), what + ": " + key));
    }

    @Test
    void theBridgeIsWhatNmcliWritesForABridgeWithoutAddresses() throws Exception {
        String bridge = "abiquo_5";
        String theirs = nmcli(null, "connection", "add", "type", "bridge", "ifname", bridge, "con-name",
                KeyfileFiles.connectionId(bridge), "connection.uuid", KeyfileFiles.uuid(bridge).toString(),
                "bridge.stp", "no", "ipv4.method", "disabled", "ipv6.method", "disabled");
        String ours = files.bridgeText(bridge);
        assertKeysAgree(theirs, ours, "bridge");
        // The one key AIM leaves out: nmcli 1.42 gives new profiles addr-gen-mode=default, a value NetworkManager
        // knows only since 1.40 (EL 9.0 has 1.36); with IPv6 disabled no address is generated either way.
        assertTrue(theirs.contains("\naddr-gen-mode=default\n"), theirs);
        assertSameKeys(theirs.replace("\naddr-gen-mode=default\n", "\n"), nmcli(ours, "connection", "modify",
                "connection.id", KeyfileFiles.connectionId(bridge)), "bridge read back by nmcli");
    }

    @Test
    void theVlanIsWhatNmcliWritesForAVlanEnslavedToTheBridge() throws Exception {
        VlanSpec spec = VlanSpec.of(5, "eth0", "abiquo_5");
        String theirs = nmcli(null, "connection", "add", "type", "vlan", "ifname", spec.device(), "con-name",
                KeyfileFiles.connectionId(spec.device()), "connection.uuid", KeyfileFiles.uuid(spec.device())
                .toString(), "vlan.parent", spec.parent(), "vlan.id", Integer.toString(spec.tag()),
                "connection.master", spec.bridge(), "connection.slave-type", "bridge");
        String ours = files.vlanText(spec);
        assertKeysAgree(theirs, ours, "vlan");
        assertSameKeys(theirs, nmcli(ours, "connection", "modify", "connection.id", KeyfileFiles.connectionId(
                spec.device())), "vlan read back by nmcli");
    }

    @Test
    void aimReadsBackWhatNmcliWrites() throws Exception {
        VlanSpec spec = VlanSpec.of(4094, "bond0", "br-4094");
        String theirs = nmcli(null, "connection", "add", "type", "vlan", "ifname", spec.device(), "con-name",
                KeyfileFiles.connectionId(spec.device()), "connection.uuid", KeyfileFiles.uuid(spec.device())
                .toString(), "vlan.parent", spec.parent(), "vlan.id", "4094", "connection.master", spec.bridge(),
                "connection.slave-type", "bridge");
        NetworkFiles.VlanFile read = files.readVlanFile(files.vlanFile(spec), theirs);
        assertEquals(java.util.Optional.of(spec), read.spec(), read.problem());
        String bridge = nmcli(null, "connection", "add", "type", "bridge", "ifname", "br-4094", "con-name",
                "abiquo-br-4094", "connection.uuid", KeyfileFiles.uuid("br-4094").toString(), "bridge.stp", "no",
                "ipv4.method", "disabled", "ipv6.method", "disabled");
        assertEquals("", files.bridgeProblem("br-4094", bridge));
        assertTrue(files.isAims(bridge));
    }
}
