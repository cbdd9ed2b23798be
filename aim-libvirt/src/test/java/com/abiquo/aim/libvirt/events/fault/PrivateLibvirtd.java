package com.abiquo.aim.libvirt.events.fault;

import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * A libvirtd of our own for fault tests: it runs as the unprivileged user {@code nobody} (group kvm, so QEMU can use
 * /dev/kvm) with its own runtime, config and cache folders under /tmp, so its socket, domains and QEMU processes are
 * separate from the system daemon's. It can be killed with SIGKILL and started again on the same folders: QEMU
 * processes survive the daemon and are picked up again, persistent domains stay defined. Published in this module's
 * test-jar (aim-server's client tests use it too).
 */
public final class PrivateLibvirtd implements AutoCloseable {
    private final Path root;
    private final Path logFile;
    private Process daemon;

    public PrivateLibvirtd() throws IOException, InterruptedException {
        root = Path.of("/tmp", "aimtest-ev-" + UUID.randomUUID().toString().substring(0, 8));
        for (String folder : List.of("home", "run", "config", "cache")) {
            Files.createDirectories(root.resolve(folder));
        }
        logFile = root.resolve("libvirtd.log");
        Files.setPosixFilePermissions(root, PosixFilePermissions.fromString("rwxr-xr-x"));
        run(List.of("chown", "-R", "nobody", root.toString()));
    }

    /** Whether this machine can run it: root, a "nobody" user, a "kvm" group, setpriv and libvirtd. */
    public static Optional<String> missingPrerequisite() {
        if (!"root".equals(System.getProperty("user.name"))) {
            return Optional.of("fault tests start their own libvirtd and need root");
        }
        for (String tool : List.of("/usr/sbin/libvirtd", "/usr/bin/setpriv", "/usr/bin/virsh")) {
            if (!Files.isExecutable(Path.of(tool))) {
                return Optional.of(tool + " is missing (scripts/setup.d/20-libvirt.sh installs it)");
            }
        }
        return Optional.empty();
    }

    public Path socket() {
        return root.resolve("run/libvirt/libvirt-sock");
    }

    /** The daemon's QEMU driver (persistent domains, real QEMU processes). */
    public String qemuUri() {
        return "qemu+unix:///session?socket=" + socket();
    }

    /** The daemon's test driver: fast, in the daemon's memory, reset when the daemon restarts. */
    public String testUri() {
        return "test+unix:///default?socket=" + socket();
    }

    public synchronized void start() throws IOException, InterruptedException {
        if (daemon != null && daemon.isAlive()) {
            throw new IllegalStateException("already running");
        }
        Files.deleteIfExists(socket());
        ProcessBuilder builder = new ProcessBuilder("/usr/bin/setpriv", "--reuid=nobody", "--regid=kvm",
                "--clear-groups", "/usr/sbin/libvirtd", "--timeout", "0")
                .directory(root.toFile())
                .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")))
                .redirectOutput(ProcessBuilder.Redirect.appendTo(logFile.toFile()))
                .redirectErrorStream(true);
        Map<String, String> environment = builder.environment();
        environment.put("HOME", root.resolve("home").toString());
        environment.put("XDG_RUNTIME_DIR", root.resolve("run").toString());
        environment.put("XDG_CONFIG_HOME", root.resolve("config").toString());
        environment.put("XDG_CACHE_HOME", root.resolve("cache").toString());
        daemon = builder.start();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (run(List.of("virsh", "-c", qemuUri(), "version")) != 0) {
            if (!daemon.isAlive() || System.nanoTime() > deadline) {
                throw new IOException("private libvirtd did not answer on " + socket() + "; log: "
                        + Files.readString(logFile));
            }
            Thread.sleep(50);
        }
    }

    /** SIGKILL, as a crash would: no clean-up by the daemon. */
    public synchronized void kill() throws InterruptedException {
        daemon.destroyForcibly();
        daemon.waitFor(10, TimeUnit.SECONDS);
    }

    /** The pid of a running domain's QEMU process, from the daemon's pid file. */
    public Optional<Long> qemuPid(String domainName) throws IOException {
        Path pidFile = root.resolve("run/libvirt/qemu/run/" + domainName + ".pid");
        if (!Files.exists(pidFile)) {
            return Optional.empty();
        }
        return Optional.of(Long.parseLong(Files.readString(pidFile).strip()));
    }

    /** Kills a QEMU process by its pid (a guest that dies while libvirtd is away). */
    public static void killProcess(long pid) throws InterruptedException {
        ProcessHandle.of(pid).ifPresent(ProcessHandle::destroyForcibly);
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false) && System.nanoTime() < deadline) {
            Thread.sleep(10);
        }
    }

    /** Runs a virsh command against the daemon's QEMU driver; returns the exit code. */
    public int virsh(String... arguments) throws IOException, InterruptedException {
        List<String> command = new java.util.ArrayList<>(List.of("virsh", "-q", "-c", qemuUri()));
        command.addAll(List.of(arguments));
        return run(command);
    }

    @Override
    public synchronized void close() throws IOException {
        try {
            stopAndClean();
        } catch (InterruptedException interrupted) {
            Thread.currentThread().interrupt();
        }
    }

    private void stopAndClean() throws IOException, InterruptedException {
        if (daemon != null && daemon.isAlive()) {
            // Guests first, by their pid files: the daemon does not stop them when it exits.
            Path pids = root.resolve("run/libvirt/qemu/run");
            if (Files.isDirectory(pids)) {
                try (Stream<Path> files = Files.list(pids)) {
                    for (Path file : files.filter(f -> f.toString().endsWith(".pid")).toList()) {
                        String name = file.getFileName().toString().replace(".pid", "");
                        virsh("destroy", name);
                    }
                }
            }
            daemon.destroy();
            if (!daemon.waitFor(10, TimeUnit.SECONDS)) {
                daemon.destroyForcibly();
            }
        }
        Path pids = root.resolve("run/libvirt/qemu/run");
        if (Files.isDirectory(pids)) {
            try (Stream<Path> files = Files.list(pids)) {
                for (Path file : files.filter(f -> f.toString().endsWith(".pid")).toList()) {
                    killProcess(Long.parseLong(Files.readString(file).strip()));
                }
            }
        }
        try (Stream<Path> walk = Files.walk(root)) {
            walk.sorted(Comparator.reverseOrder()).forEach(path -> path.toFile().delete());
        }
    }

    private static int run(List<String> command) throws IOException, InterruptedException {
        Process process = new ProcessBuilder(command).redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.DISCARD)
                .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null"))).start();
        if (!process.waitFor(60, TimeUnit.SECONDS)) {
            process.destroyForcibly();
            return -1;
        }
        return process.exitValue();
    }
}
