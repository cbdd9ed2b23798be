package com.abiquo.aim.dist.bench;

import com.abiquo.aim.testing.Ports;
import io.grpc.Grpc;
import io.grpc.InsecureChannelCredentials;
import io.grpc.ManagedChannel;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

/** One AIM started through a distribution's own launcher on a throwaway configuration, as an operator runs it. */
final class AimProcess implements AutoCloseable {
    private final Process process;
    private final Path folder;
    private final int port;
    private final long startupMillis;

    private AimProcess(Process process, Path folder, int port, long startupMillis) {
        this.process = process;
        this.folder = folder;
        this.port = port;
        this.startupMillis = startupMillis;
    }

    static AimProcess start(Path dist, String uri) throws Exception {
        return start(dist, uri, "");
    }

    /** With {@code extraIni} appended to the configuration (sections of its own, e.g. [eventbus]). */
    static AimProcess start(Path dist, String uri, String extraIni) throws Exception {
        Path folder = Files.createTempDirectory("aim-footprint");
        Files.createDirectories(folder.resolve("repository"));
        Files.createFile(folder.resolve("repository/.abiquo_repository"));
        Files.createDirectories(folder.resolve("datastore"));
        Files.createDirectories(folder.resolve("network-scripts"));
        Files.writeString(folder.resolve("initiatorname.iscsi"), "InitiatorName=iqn.2026-01.com.abiquo:bench\n");
        int port = Ports.reusable(); // released here, bound later by the process started below
        Files.writeString(folder.resolve("aim.ini"), "[server]\naddress = 127.0.0.1\nport = " + port + "\n"
                + "[monitor]\nuri = " + uri + "\n[rimp]\nrepository = repository\ndatastores = datastore\n"
                + "[vlan]\nnetworkScripts = network-scripts\nrestoreOnStart = false\n"
                + "[storage]\ninitiatorNameFile = initiatorname.iscsi\n" + extraIni);
        ProcessBuilder builder = new ProcessBuilder(dist.resolve("bin/abiquo-aim").toString(), "-c",
                folder.resolve("aim.ini").toString())
                .redirectErrorStream(true)
                .redirectOutput(folder.resolve("aim.log").toFile());
        builder.environment().put("AIM_STDERR_LEVEL", "warn");
        long started = System.nanoTime();
        Process process = builder.start();
        long deadline = started + TimeUnit.SECONDS.toNanos(120);
        while (!accepts(port)) {
            if (!process.isAlive() || System.nanoTime() > deadline) {
                process.destroyForcibly();
                throw new IllegalStateException("AIM from " + dist + " did not start: "
                        + Files.readString(folder.resolve("aim.log")));
            }
            Thread.onSpinWait();
        }
        return new AimProcess(process, folder, port, (System.nanoTime() - started) / 1_000_000);
    }

    static boolean accepts(int port) {
        try (Socket socket = new Socket()) {
            socket.connect(new InetSocketAddress("127.0.0.1", port), 100);
            return true;
        } catch (IOException refused) {
            return false;
        }
    }

    long startupMillis() {
        return startupMillis;
    }

    /** VmRSS of the JVM (the launcher execs it, so it is the process started). */
    long rssKib() throws IOException {
        for (String line : Files.readAllLines(Path.of("/proc", Long.toString(process.pid()), "status"))) {
            if (line.startsWith("VmRSS:")) {
                return Long.parseLong(line.replaceAll("[^0-9]", ""));
            }
        }
        throw new IllegalStateException("no VmRSS for pid " + process.pid());
    }

    /** A fixed quiet period, so that start-up or load has finished its work before RSS is read. */
    void settle() throws InterruptedException {
        Thread.sleep(10_000);
    }

    long pid() {
        return process.pid();
    }

    ManagedChannel channel() {
        return Grpc.newChannelBuilderForAddress("127.0.0.1", port, InsecureChannelCredentials.create()).build();
    }

    @Override
    public void close() throws Exception {
        process.destroy();
        if (!process.waitFor(30, TimeUnit.SECONDS)) {
            process.destroyForcibly().waitFor();
        }
        try (var files = Files.walk(folder)) {
            files.sorted(java.util.Comparator.reverseOrder()).forEach(path -> path.toFile().delete());
        }
    }
}
