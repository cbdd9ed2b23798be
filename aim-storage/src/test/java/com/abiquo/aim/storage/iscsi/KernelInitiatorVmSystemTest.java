package com.abiquo.aim.storage.iscsi;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * The kernel-initiator path on a real kernel: this machine's kernel lacks iscsi_tcp, so the test boots
 * aim-network's throwaway VM (stock Debian kernel under QEMU, this machine's / read-only), loads the iSCSI modules
 * there, makes a tgtd target, and runs {@link KernelRescanProbe} (AIM's discovery and rescan code, built here) in it:
 * after login, a LUN added to the target is not seen until AIM's rescan, then it is, with its size. Then AIM makes a
 * kernel "iscsi" libvirt pool on the target (libvirtd runs in the VM too) and a rescan refreshes pool and session.
 */
@Tag("system")
class KernelInitiatorVmSystemTest {
    private static final long MIB = 1L << 20;

    @Test
    void aimsRescanOfALoggedInTargetSeesALunAddedAfterLogin() throws Exception {
        Path module = Path.of("").toAbsolutePath();
        Path harness = module.resolveSibling("aim-network/src/test/vm/run");
        Path xfer = Files.createDirectories(module.resolve("target/vm-xfer-" + ProcessHandle.current().pid()));
        exec(List.of(module.resolve("src/test/vm/iscsi-modules").toString(), xfer.resolve("mod").toString()),
                Map.of(), 300);
        String iqn = "iqn.2026-11.test.aim.storage:vm-" + ProcessHandle.current().pid();
        String classpath = System.getProperty("java.class.path");
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        Files.writeString(xfer.resolve("guest.sh"), String.join("\n",
                "set -e",
                "for m in $(cat /xfer/mod/order); do",
                "  [ -d /sys/module/$(echo $m | tr - _) ] || insmod /xfer/mod/$m.ko",
                "done",
                // open-iscsi's state comes from this machine's / (in the guest's RAM overlay): start from none, or
                // interfaces and node records left there would multiply the sessions.
                "rm -rf /etc/iscsi/ifaces/* /etc/iscsi/nodes/* /etc/iscsi/send_targets/*",
                "mkdir -p /run/lock/iscsi /var/lib/iscsi /run/libvirt /var/log/libvirt",
                "libvirtd -d",   // for the kernel-pool part; starts (slowly, under TCG) while the JVM does the rest
                "tgtd",
                "for i in $(seq 100); do tgtadm --lld iscsi --op show --mode target >/dev/null 2>&1 && break;"
                        + " sleep 0.2; done",
                "truncate -s " + 16 * MIB + " /tmp/lun1.img",
                "truncate -s " + 32 * MIB + " /tmp/lun2.img",
                "truncate -s " + 32 * MIB + " /tmp/lun3.img",
                "tgtadm --lld iscsi --op new --mode target --tid 1 -T " + iqn,
                "tgtadm --lld iscsi --op new --mode logicalunit --tid 1 --lun 1 -b /tmp/lun1.img",
                "tgtadm --lld iscsi --op bind --mode target --tid 1 -I ALL",
                "iscsid -f >/dev/null 2>&1 &",
                "for i in $(seq 50); do [ -S /run/iscsid.sock ] || [ -e /run/iscsid.pid ] && break; sleep 0.2; done",
                "sleep 1",
                // The guest has no host name: log4j-api's simple logger avoids log4j-core's host name lookup.
                java + " -XX:TieredStopAtLevel=1 -XX:+UseSerialGC -Xmx160m -Dlog4j2.loggerContextFactory="
                        + "org.apache.logging.log4j.simple.SimpleLoggerContextFactory -cp '" + classpath + "' "
                        + KernelRescanProbe.class.getName() + " " + iqn + " 1 /tmp/lun2.img /tmp/lun3.img",
                ""), StandardCharsets.UTF_8);
        long start = System.nanoTime();
        String output = exec(List.of(harness.toString(), "sh /xfer/guest.sh"),
                Map.of("AIM_VM_XFER", xfer.toString(), "AIM_VM_TIMEOUT", "600"), 660);
        long seconds = (System.nanoTime() - start) / 1_000_000_000L;
        System.out.println("VM run took " + seconds + " s:\n" + output);
        Map<String, String> lines = output.lines().filter(line -> line.startsWith("AIMTEST "))
                .map(line -> line.substring(8)).collect(Collectors.toMap(line -> line.split(" ", 2)[0],
                        line -> line.split(" ", 2).length > 1 ? line.split(" ", 2)[1] : ""));
        assertEquals("iscsiadm " + iqn, lines.get("discovered"), output);
        assertEquals("rescanned=true error= luns=1:" + 16 * MIB, lines.get("rescan1"), output);
        assertEquals("1:" + 16 * MIB, lines.get("before"), "the new LUN must not be seen before the rescan");
        assertEquals("rescanned=true error= luns=1:" + 16 * MIB + ",2:" + 32 * MIB, lines.get("rescan2"), output);
        // Kernel iscsi pool (target path /dev: the VM has no udev, so no /dev/disk/by-path).
        assertEquals("created=true type=ISCSI volumes=unit:0:0:1=" + 16 * MIB + ",unit:0:0:2=" + 32 * MIB,
                lines.get("pool"), output);
        assertEquals("outcome=RESCANNED kernel=1:" + 16 * MIB + ",2:" + 32 * MIB + ",3:" + 32 * MIB
                + " pool=aimst-kernel:unit:0:0:1=" + 16 * MIB + ",unit:0:0:2=" + 32 * MIB + ",unit:0:0:3=" + 32 * MIB,
                lines.get("rescan3"), output);
        assertEquals("created=false", lines.get("again"), output);
        assertEquals("after delete=0", lines.get("sessions"), output);
        deleteTree(xfer);
    }

    private static void deleteTree(Path folder) throws java.io.IOException {
        try (var paths = Files.walk(folder)) {
            for (Path path : (Iterable<Path>) paths.sorted(java.util.Comparator.reverseOrder())::iterator) {
                Files.delete(path);
            }
        }
    }

    private static String exec(List<String> command, Map<String, String> environment, int timeoutSeconds)
            throws Exception {
        ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true);
        builder.environment().putAll(environment);
        Process process = builder.start();
        process.getOutputStream().close();
        byte[] output = process.getInputStream().readAllBytes();
        assertTrue(process.waitFor(timeoutSeconds, TimeUnit.SECONDS), command + " did not finish");
        String text = new String(output, StandardCharsets.UTF_8);
        assertEquals(0, process.exitValue(), command + " failed:\n" + text);
        return text;
    }
}
