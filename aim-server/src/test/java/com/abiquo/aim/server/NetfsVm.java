package com.abiquo.aim.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.abiquo.aim.testing.Ports;
import com.abiquo.aim.testing.Waits;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * The throwaway VM of the netfs test (src/test/vm-netfs): a stock Debian kernel under QEMU that runs a kernel NFS
 * server and a libvirtd reachable from here at {@link #libvirtUri()}. {@link #guest} runs a shell snippet in the
 * guest (through files in the shared transfer folder) so the test can look at the guest's mounts and the export.
 */
final class NetfsVm implements AutoCloseable {
    /** The guest's address on QEMU's user network: the NFS server's host name in pool requests. */
    static final String GUEST_ADDRESS = "10.0.2.15";
    /** The folder the guest exports (a 64 MiB tmpfs). */
    static final String EXPORT = "/srv/aim-netfs-export";

    private final Path xfer;
    private final int libvirtPort;
    private final Process qemu;
    private int requests;

    private NetfsVm(Path xfer, int libvirtPort, Process qemu) {
        this.xfer = xfer;
        this.libvirtPort = libvirtPort;
        this.qemu = qemu;
    }

    /** Boots the VM in the background (kit: aim-server/src/test/vm-netfs; transfer folder: xfer, made here). */
    static NetfsVm boot(Path kit, Path xfer, int timeoutSeconds) throws Exception {
        Files.createDirectories(xfer.resolve("req"));
        exec(List.of(kit.resolve("modules").toString(), xfer.resolve("mod").toString()), 300);
        int port = Ports.reusable(); // released here, bound later by another process
        ProcessBuilder builder = new ProcessBuilder(kit.resolve("run").toString(),
                "sh " + kit.resolve("guest.sh").toAbsolutePath())
                .redirectErrorStream(true).redirectOutput(xfer.resolve("qemu.log").toFile());
        builder.environment().put("AIM_VM_XFER", xfer.toString());
        builder.environment().put("AIM_VM_PORT", Integer.toString(port));
        builder.environment().put("AIM_VM_TIMEOUT", Integer.toString(timeoutSeconds));
        return new NetfsVm(xfer, port, builder.start());
    }

    String libvirtUri() {
        return "qemu+tcp://127.0.0.1:" + libvirtPort + "/system";
    }

    /** Waits until the guest's NFS server and libvirtd answer; fails with the guest's output if the VM ends first. */
    void awaitReady(long timeoutSeconds) {
        Waits.await("the netfs VM to get ready", Duration.ofSeconds(timeoutSeconds), Duration.ofMillis(100), () -> {
            if (!qemu.isAlive()) {
                throw new AssertionError("the netfs VM ended before it got ready:\n" + diagnostics());
            }
            return Files.exists(xfer.resolve("ready"));
        }, this::diagnostics);
    }

    /** Runs a shell snippet as root in the guest; returns its output, failing when its status is not 0. */
    String guest(String script) throws Exception {
        int n = ++requests;
        Path folder = xfer.resolve("req");
        Path temporary = folder.resolve(n + ".tmp");
        Files.writeString(temporary, script + "\n", StandardCharsets.UTF_8);
        Files.move(temporary, folder.resolve(n + ".sh"), StandardCopyOption.ATOMIC_MOVE);
        Path rc = folder.resolve(n + ".rc");
        Waits.await("the guest to run: " + script, Duration.ofSeconds(60), Duration.ofMillis(50), () -> {
            if (!qemu.isAlive()) {
                throw new AssertionError("the VM ended before the guest ran: " + script + "\n" + diagnostics());
            }
            return Files.exists(rc);
        }, this::diagnostics);
        String output = Files.readString(folder.resolve(n + ".out"), StandardCharsets.UTF_8);
        assertEquals("0", Files.readString(rc).trim(), "in the guest: " + script + "\n" + output);
        return output;
    }

    /** What the guest script printed so far (its timeline). */
    String guestLog() throws IOException {
        return Files.readString(xfer.resolve("out"), StandardCharsets.UTF_8);
    }

    /** The guest's output and console, for failure messages. */
    String diagnostics() {
        StringBuilder text = new StringBuilder();
        for (String name : List.of("out", "qemu.log", "console")) {
            try {
                String content = Files.readString(xfer.resolve(name), StandardCharsets.UTF_8);
                text.append("--- ").append(name).append(":\n")
                        .append(content.length() > 4000 ? content.substring(content.length() - 4000) : content);
            } catch (IOException absent) {
                text.append("--- ").append(name).append(": none\n");
            }
        }
        return text.toString();
    }

    /** Asks the guest to stop, waits for QEMU to end (killing it after a while) and deletes the transfer folder. */
    @Override
    public void close() throws Exception {
        try {
            Files.writeString(xfer.resolve("stop"), "");
            if (!qemu.waitFor(30, TimeUnit.SECONDS)) {
                qemu.destroy();   // `timeout` in the run script passes SIGTERM on to QEMU
                qemu.waitFor(10, TimeUnit.SECONDS);
            }
        } finally {
            qemu.descendants().forEach(ProcessHandle::destroyForcibly);
            qemu.destroyForcibly();
            try (var paths = Files.walk(xfer)) {
                for (Path path : (Iterable<Path>) paths.sorted(Comparator.reverseOrder())::iterator) {
                    Files.deleteIfExists(path);
                }
            }
        }
    }

    private static void exec(List<String> command, int timeoutSeconds) throws Exception {
        Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
        process.getOutputStream().close();
        byte[] output = process.getInputStream().readAllBytes();
        assertTrue(process.waitFor(timeoutSeconds, TimeUnit.SECONDS), command + " did not finish");
        assertEquals(0, process.exitValue(), command + " failed:\n" + new String(output, StandardCharsets.UTF_8));
    }
}
