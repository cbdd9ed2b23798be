package com.abiquo.aim.libvirt.connection;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * A libvirtd of the test's own: run as "nobody" in session mode with its own socket folder under /tmp, so killing and
 * restarting it never touches the system daemon. It serves the test driver: connect with {@link #testUri()}.
 * {@code setpriv} execs libvirtd, so the process we hold IS the daemon and {@link #kill()} is a real SIGKILL.
 */
public final class PrivateLibvirtd implements AutoCloseable {
    private final Path folder;
    private Process process;

    public PrivateLibvirtd(String prefix) throws IOException, InterruptedException {
        folder = Files.createTempDirectory(prefix);
        Files.createDirectories(folder.resolve("run"));
        Files.createDirectories(folder.resolve("config/libvirt"));
        Files.createDirectories(folder.resolve("home"));
        Files.writeString(folder.resolve("libvirtd.conf"), "unix_sock_dir = \"" + folder.resolve("run")
                + "\"\nlisten_tls = 0\nlisten_tcp = 0\n");
        run(List.of("chown", "-R", "nobody:nogroup", folder.toString()));
        run(List.of("chmod", "755", folder.toString()));
    }

    public String testUri() {
        return "test+unix:///default?socket=" + socket();
    }

    Path socket() {
        return folder.resolve("run/libvirt-sock");
    }

    /** Starts the daemon and waits until its socket accepts connections. */
    public void start() throws IOException, InterruptedException {
        Files.deleteIfExists(socket());
        process = new ProcessBuilder("setpriv", "--reuid=nobody", "--regid=nogroup", "--clear-groups",
                "env", "HOME=" + folder.resolve("home"), "XDG_RUNTIME_DIR=" + folder.resolve("run"),
                "XDG_CONFIG_HOME=" + folder.resolve("config"), "XDG_CACHE_HOME=" + folder.resolve("home/cache"),
                "libvirtd", "--config", folder.resolve("libvirtd.conf").toString())
                .redirectErrorStream(true)
                .redirectOutput(folder.resolve("libvirtd.log").toFile())
                .start();
        long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
        while (System.nanoTime() < deadline) {
            if (!process.isAlive()) {
                throw new IllegalStateException("private libvirtd exited: "
                        + Files.readString(folder.resolve("libvirtd.log")));
            }
            if (Files.exists(socket()) && run(List.of("virsh", "-c", testUri(), "version")) == 0) {
                return;
            }
            Thread.sleep(50);
        }
        throw new IllegalStateException("private libvirtd did not answer within 20 s");
    }

    /** SIGSTOP (freeze) or SIGCONT (thaw) the daemon: a hung daemon that keeps its socket open. */
    public void signal(String signal) throws IOException, InterruptedException {
        if (run(List.of("kill", "-" + signal, Long.toString(process.pid()))) != 0) {
            throw new IllegalStateException("kill -" + signal + " " + process.pid() + " failed");
        }
    }

    /** SIGKILL: the daemon dies without saying goodbye, as in a crash. */
    public void kill() throws IOException, InterruptedException {
        if (process != null) {
            if (process.isAlive()) {
                signal("CONT"); // a stopped process dies of SIGKILL too, but do not leave it stopped if that fails
            }
            process.destroyForcibly();
            process.waitFor(10, TimeUnit.SECONDS);
        }
    }

    @Override
    public void close() throws Exception {
        kill();
        try (Stream<Path> paths = Files.walk(folder)) {
            paths.sorted(Comparator.reverseOrder()).forEach(path -> path.toFile().delete());
        }
    }

    private static int run(List<String> command) throws IOException, InterruptedException {
        Process child = new ProcessBuilder(command).redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
        if (!child.waitFor(10, TimeUnit.SECONDS)) {
            child.destroyForcibly();
            return -1;
        }
        return child.exitValue();
    }
}
