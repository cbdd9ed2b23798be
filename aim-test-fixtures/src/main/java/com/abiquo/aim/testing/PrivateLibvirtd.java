package com.abiquo.aim.testing;

import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * A libvirtd of a test's own, for tests that kill, freeze or restart the daemon: it runs as the unprivileged user
 * {@code nobody} (group kvm, so QEMU can use /dev/kvm) in session mode with its own runtime, config and cache
 * folders under /tmp, so its socket, domains and QEMU processes are separate from the system daemon's.
 * {@code setpriv} execs libvirtd, so the process held here IS the daemon: {@link #kill()} is a real SIGKILL, as in
 * a crash, and {@link #signal(String)} STOP freezes it with its socket open. Started again on the same folders, it
 * picks up the QEMU processes that survived it, and persistent domains stay defined. JDK classes only.
 */
public final class PrivateLibvirtd implements AutoCloseable {
    private static final Duration START_TIMEOUT = Duration.ofSeconds(60);

    private final Path root;
    private final Path logFile;
    private Process daemon;

    /** A daemon in a new folder /tmp/aimtest-lvd-*; fails (does not skip) unless this machine can run it. */
    public PrivateLibvirtd() throws IOException, InterruptedException {
        this("aimtest-lvd-");
    }

    /**
     * As {@link #PrivateLibvirtd()}, in a new folder /tmp/{@code prefix} and 8 random characters: a name that says
     * which test left it. Keep it short: the QEMU monitor sockets of the daemon's guests live in this folder, and a
     * UNIX socket's path has at most 107 bytes (hence /tmp, not java.io.tmpdir).
     */
    public PrivateLibvirtd(String prefix) throws IOException, InterruptedException {
        requirePrerequisites();
        if (prefix.length() > 24) {
            throw new IllegalArgumentException("prefix longer than 24 characters: " + prefix);
        }
        root = Files.createDirectory(Path.of("/tmp", prefix + UUID.randomUUID().toString().substring(0, 8)));
        for (String folder : List.of("home", "run", "config", "cache")) {
            Files.createDirectories(root.resolve(folder));
        }
        logFile = root.resolve("libvirtd.log");
        Files.setPosixFilePermissions(root, PosixFilePermissions.fromString("rwxr-xr-x"));
        if (run(List.of("chown", "-R", "nobody", root.toString())) != 0) {
            throw new IOException("chown -R nobody " + root + " failed");
        }
    }

    /** Root (to run the daemon as another user), setpriv, libvirtd and virsh (scripts/setup.d/20-libvirt.sh). */
    private static void requirePrerequisites() {
        SystemTestRequirements.requireRoot("a private libvirtd run as the user nobody");
        for (String tool : List.of("/usr/sbin/libvirtd", "/usr/bin/setpriv", "/usr/bin/virsh")) {
            SystemTestRequirements.requireExecutable(Path.of(tool), "scripts/setup.d/20-libvirt.sh");
        }
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

    /**
     * Starts the daemon and waits until it answers virsh on its socket; fails at once, with its log, if it dies. The
     * question goes to the test driver: asked of the QEMU driver, {@code virsh version} would also wait for the
     * daemon to probe QEMU's capabilities (seconds in a new folder), which a test on the test driver never needs and
     * a test on the QEMU driver pays at its first call anyway.
     */
    public synchronized void start() throws IOException {
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
        Process started = builder.start();
        daemon = started;
        Waits.await("the private libvirtd to answer on " + socket(), START_TIMEOUT, Duration.ofMillis(50), () -> {
            if (!started.isAlive()) {
                throw new AssertionError("the private libvirtd exited (" + started.exitValue() + "): " + log());
            }
            return Files.exists(socket()) && run(List.of("virsh", "-c", testUri(), "version")) == 0;
        }, () -> "its log: " + log());
    }

    private String log() throws IOException {
        return Files.exists(logFile) ? Files.readString(logFile) : "(none)";
    }

    /** Sends a signal: STOP freezes the daemon (a hung daemon that keeps its socket open), CONT thaws it. */
    public synchronized void signal(String signal) throws IOException, InterruptedException {
        if (run(List.of("kill", "-" + signal, Long.toString(daemon.pid()))) != 0) {
            throw new IllegalStateException("kill -" + signal + " " + daemon.pid() + " failed");
        }
    }

    /** SIGKILL, as a crash would: no clean-up by the daemon. */
    public synchronized void kill() throws IOException, InterruptedException {
        if (daemon == null) {
            return;
        }
        if (daemon.isAlive()) {
            signal("CONT"); // a stopped process dies of SIGKILL too, but do not leave it stopped if that fails
        }
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

    /** Kills a QEMU process by its pid (a guest that dies while libvirtd is away) and waits until it is gone. */
    public static void killProcess(long pid) {
        ProcessHandle.of(pid).ifPresent(ProcessHandle::destroyForcibly);
        Waits.await("process " + pid + " to exit after SIGKILL", Duration.ofSeconds(10),
                () -> !ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false));
    }

    /** Runs a virsh command against the daemon's QEMU driver; returns the exit code. */
    public int virsh(String... arguments) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>(List.of("virsh", "-q", "-c", qemuUri()));
        command.addAll(List.of(arguments));
        return run(command);
    }

    /** Stops the daemon and its guests and deletes its folder. */
    @Override
    public synchronized void close() throws IOException {
        try {
            stopAndClean();
        } catch (InterruptedException interrupted) {
            Thread.currentThread().interrupt();
        }
    }

    private void stopAndClean() throws IOException, InterruptedException {
        Path pids = root.resolve("run/libvirt/qemu/run");
        if (daemon != null && daemon.isAlive()) {
            signal("CONT"); // a frozen daemon would neither answer virsh nor act on SIGTERM
            // Guests first, by their pid files: the daemon does not stop them when it exits.
            for (Path file : pidFiles(pids)) {
                virsh("destroy", file.getFileName().toString().replace(".pid", ""));
            }
            daemon.destroy();
            if (!daemon.waitFor(10, TimeUnit.SECONDS)) {
                daemon.destroyForcibly();
            }
        }
        for (Path file : pidFiles(pids)) {
            killProcess(Long.parseLong(Files.readString(file).strip()));
        }
        try (Stream<Path> walk = Files.walk(root)) {
            walk.sorted(Comparator.reverseOrder()).forEach(path -> path.toFile().delete());
        }
    }

    private static List<Path> pidFiles(Path folder) throws IOException {
        if (!Files.isDirectory(folder)) {
            return List.of();
        }
        try (Stream<Path> files = Files.list(folder)) {
            return files.filter(file -> file.toString().endsWith(".pid")).toList();
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
