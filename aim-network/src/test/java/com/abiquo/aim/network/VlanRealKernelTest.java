package com.abiquo.aim.network;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.File;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * Proves the VLAN path on a kernel that has 802.1Q: boots the module's throwaway VM (src/test/vm: a stock Debian
 * kernel under QEMU, this machine's / read-only inside, fetched by scripts/setup.d/40-network.sh), runs
 * {@link VlanVmScenario} there on this build's classes and checks its results and the files it wrote here.
 */
@Tag("system")
class VlanRealKernelTest {
    private static final List<String> SCENARIOS = List.of(
            "check reports 802.1Q and bridges",
            "create makes bridge, VLAN, links up and files",
            "create again changes nothing; another bridge is refused",
            "frames tagged 5 on the wire reach the bridge, tag 6 does not",
            "concurrent creates of one VLAN: one does the work",
            "written files match the original byte for byte",
            "restore after a simulated reboot re-creates identical links",
            "a failure after the VLAN step undoes links and files",
            "a tag already carried by another interface is refused",
            "delete refuses VM ports unless forced, then removes all",
            "delete of the other VLAN removes it; again changes nothing",
            "with useIfup, ifup/ifdown create and delete the same links",
            "a create that fails on a shared parent leaves it up for the other");

    @Test
    void theVlanPathWorksOnARealKernel() throws Exception {
        // one folder per run (kept for diagnosis), so two builds never read each other's results
        Path xfer = Files.createTempDirectory(Files.createDirectories(Path.of("target").toAbsolutePath()),
                "vm-xfer-");
        String classpath = System.getProperty("surefire.test.class.path", System.getProperty("java.class.path"));
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        // Java runs 10-15x slower under TCG: C1 only, a small heap, one GC thread
        String command = String.join(" ", java, "-XX:TieredStopAtLevel=1", "-XX:+UseSerialGC", "-Xmx256m",
                "-Xshare:auto", "-cp", quote(classpath), VlanVmScenario.class.getName(), "/xfer");
        ProcessBuilder builder = new ProcessBuilder(Path.of("src", "test", "vm", "run").toAbsolutePath().toString(),
                command).redirectErrorStream(true).redirectOutput(xfer.resolve("run.log").toFile());
        builder.environment().put("AIM_VM_XFER", xfer.toString());
        Process vm = builder.start();
        boolean finished = vm.waitFor(15, TimeUnit.MINUTES);
        if (!finished) {
            vm.destroyForcibly();
        }
        String log = Files.readString(xfer.resolve("run.log"));
        assertTrue(finished, "the VM did not finish in 15 minutes");
        assertEquals(0, vm.exitValue(), "the VM run failed:\n" + log);

        List<String> results = Files.readAllLines(xfer.resolve("results.txt"), StandardCharsets.UTF_8);
        for (String scenario : SCENARIOS) {
            assertTrue(results.contains("PASS " + scenario), scenario + " did not pass:\n" + String.join("\n",
                    results) + "\n" + log);
        }
        assertEquals("SUMMARY passed=" + SCENARIOS.size() + " failed=0", results.get(results.size() - 1));

        Path files = xfer.resolve("files");
        assertArrayEquals(bytes(IfcfgFilesTest.BRIDGE_FILE), Files.readAllBytes(files.resolve("ifcfg-abiquo_5")));
        assertArrayEquals(bytes(IfcfgFilesTest.VLAN_FILE), Files.readAllBytes(files.resolve("ifcfg-abiquo_eth0.5")));
        assertArrayEquals(bytes(IfcfgFilesTest.VLAN_FILE.replace("5", "7")),
                Files.readAllBytes(files.resolve("ifcfg-abiquo_eth0.7")));
    }

    private static byte[] bytes(String text) {
        return text.getBytes(StandardCharsets.US_ASCII);
    }

    /** The command runs under the guest's /bin/sh; class path entries are plain paths but may hold spaces. */
    private static String quote(String classpath) {
        return "'" + String.join(File.pathSeparator, classpath.split(File.pathSeparator)).replace("'", "'\\''")
                + "'";
    }
}
