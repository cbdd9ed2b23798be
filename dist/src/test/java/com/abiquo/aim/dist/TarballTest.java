package com.abiquo.aim.dist;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The tar.gz as an operator unpacks it: layout, bin/abiquo-aim in the foreground and with -d. */
class TarballTest {
    @TempDir
    static Path folder;

    private static Path home;

    @BeforeAll
    static void unpack() throws Exception {
        Path tarball = Path.of(System.getProperty("aim.dist.tar"));
        assertTrue(Files.isRegularFile(tarball), tarball + " was not built");
        home = folder.resolve("abiquo-aim");
        Files.createDirectories(home);
        Launched tar = Launched.run(folder, Map.of(), "tar", "-xzf", tarball.toString(), "-C", home.toString(),
                "--strip-components=1");
        assertEquals(0, tar.exitCode(), tar.output());
    }

    @Test
    void layoutHasLauncherLibrariesConfigurationAndUnit() throws Exception {
        assertTrue(Files.isExecutable(home.resolve("bin/abiquo-aim")));
        assertTrue(Files.isRegularFile(home.resolve("conf/aim.ini")));
        assertTrue(Files.isRegularFile(home.resolve("conf/log4j2.xml")));
        assertTrue(Files.isRegularFile(home.resolve("systemd/abiquo-aim.service")));
        assertTrue(Files.isRegularFile(home.resolve("grafana/aim-node.json")), "the Grafana dashboard of /metrics");
        try (var jars = Files.list(home.resolve("lib"))) {
            List<String> names = jars.map(jar -> jar.getFileName().toString()).toList();
            for (String prefix : List.of("aim-server-", "aim-core-", "aim-proto-", "aim-libvirt-", "aim-rimp-",
                    "aim-network-", "aim-storage-", "grpc-netty-shaded-", "log4j-core-", "log4j-jul-", "picocli-")) {
                assertTrue(names.stream().anyMatch(name -> name.startsWith(prefix)), prefix + " not in lib/: " + names);
            }
        }
        String unit = Files.readString(home.resolve("systemd/abiquo-aim.service"));
        assertTrue(unit.contains("ExecStart=/usr/bin/abiquo-aim -c /etc/abiquo-aim/aim.ini"), unit);
    }

    @Test
    void launcherPrintsVersionAndHelp() throws Exception {
        Launched version = Launched.run(folder, Map.of(), home.resolve("bin/abiquo-aim").toString(), "-v");
        assertEquals(0, version.exitCode(), version.output());
        assertTrue(version.output().matches("(?s)abiquo-aim \\S+\\ngit revision [0-9a-f]{40}.*"), version.output());
        Launched help = Launched.run(folder, Map.of(), home.resolve("bin/abiquo-aim").toString(), "--help");
        assertEquals(0, help.exitCode());
        assertTrue(help.output().contains("--config-file"), help.output());
    }

    @Test
    void launcherRunsInTheForegroundAndStopsWithStatus0OnSigterm() throws Exception {
        Path config = Launched.devConfig(folder.resolve("foreground"), home.resolve("bin/abiquo-aim").toString());
        try (Launched aim = Launched.start(folder, Map.of(), home.resolve("bin/abiquo-aim").toString(),
                "-c", config.toString(), "-t", "2")) {
            aim.waitForPort();
            assertEquals(0, aim.terminate(), aim.output());
            assertTrue(aim.output().contains("received SIGTERM: shutting down"), aim.output());
            assertTrue(aim.output().contains("AIM stopped cleanly"), aim.output());
        }
    }

    @Test
    void badConfigurationExitsWith1AndNamesTheKey() throws Exception {
        Path bad = folder.resolve("bad.ini");
        Files.writeString(bad, "[server]\nport = 60606\nprot = 1\n");
        Launched aim = Launched.run(folder, Map.of(), home.resolve("bin/abiquo-aim").toString(), "-c", bad.toString());
        assertEquals(1, aim.exitCode(), aim.output());
        assertTrue(aim.output().contains(bad + ": [server] unknown key \"prot\""), aim.output());
    }

    @Test
    void stderrCanBeTurnedOffForSystemd() throws Exception {
        Path bad = folder.resolve("bad-quiet.ini");
        Files.writeString(bad, "[sever]\n");
        Launched aim = Launched.run(folder, Map.of("AIM_STDERR_LEVEL", "off"),
                home.resolve("bin/abiquo-aim").toString(), "-c", bad.toString());
        assertEquals(1, aim.exitCode(), aim.output());
        assertEquals("", aim.output().strip(), "AIM_STDERR_LEVEL=off leaves stderr to syslog alone");
    }

    @Test
    void daemonDetachesWritesAPidFileAndLogsToSyslogOnly() throws Exception {
        Path config = Launched.devConfig(folder.resolve("daemon"), home.resolve("bin/abiquo-aim").toString());
        Path pidFile = folder.resolve("daemon/aim.pid");
        try (DatagramSocket syslog = new DatagramSocket(0, InetAddress.getLoopbackAddress())) {
            syslog.setSoTimeout(200);
            List<String> datagrams = new CopyOnWriteArrayList<>();
            Thread receiver = new Thread(() -> receive(syslog, datagrams), "syslog-receiver");
            receiver.setDaemon(true);
            receiver.start();
            Map<String, String> environment = Map.of("AIM_PID_FILE", pidFile.toString(),
                    "JAVA_OPTS", "-Daim.syslog.host=127.0.0.1 -Daim.syslog.port=" + syslog.getLocalPort());
            Launched launcher = Launched.run(folder, environment, home.resolve("bin/abiquo-aim").toString(),
                    "-d", "-c", config.toString());
            assertEquals(0, launcher.exitCode(), launcher.output());
            assertTrue(Files.isRegularFile(pidFile), launcher.output());
            long pid = Long.parseLong(Files.readString(pidFile).strip());
            try {
                assertTrue(launcher.output().contains("running in the background, pid " + pid), launcher.output());
                assertFalse(launcher.output().contains("INFO"), "-d must not log to stderr: " + launcher.output());
                ProcessHandle daemon = ProcessHandle.of(pid).orElseThrow(() -> new AssertionError("no process " + pid));
                assertTrue(daemon.isAlive());
                waitFor(datagrams, "listening on 127.0.0.1:", daemon);
                assertTrue(datagrams.stream().anyMatch(d -> d.startsWith("<30>1 ") && d.contains(" abiquo-aim ")),
                        datagrams.toString());
                Launched.signal("TERM", pid);
                assertTrue(daemon.onExit().get(60, TimeUnit.SECONDS) != null);
                waitFor(datagrams, "AIM stopped cleanly", null);
                assertFalse(Files.exists(pidFile), "a clean stop removes the pid file");
            } finally {
                ProcessHandle.of(pid).ifPresent(ProcessHandle::destroyForcibly);
            }
        }
    }

    @Test
    void aDaemonThatCannotStartIsReportedAsAFailureAndLeavesNoPidFile() throws Exception {
        Path bad = Files.createDirectories(folder.resolve("bad-daemon")).resolve("aim.ini");
        Files.writeString(bad, "[server]\nport = 99999\n");
        Path pidFile = folder.resolve("bad-daemon/aim.pid");
        // -dc: the launcher must see the daemon flag inside a cluster of short options too
        Launched launcher = Launched.run(folder, Map.of("AIM_PID_FILE", pidFile.toString()),
                home.resolve("bin/abiquo-aim").toString(), "-dc", bad.toString());
        assertEquals(1, launcher.exitCode(), launcher.output());
        assertTrue(launcher.output().contains("failed to start"), launcher.output());
        assertFalse(Files.exists(pidFile), "no pid file for an agent that is not running");
    }

    private static void waitFor(List<String> datagrams, String text, ProcessHandle alive)
            throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (System.nanoTime() < deadline) {
            if (datagrams.stream().anyMatch(d -> d.contains(text))) {
                return;
            }
            if (alive != null && !alive.isAlive()) {
                Thread.sleep(500);
                throw new AssertionError("AIM ended; syslog got: " + datagrams);
            }
            Thread.sleep(50);
        }
        throw new AssertionError("no syslog datagram contains \"" + text + "\": " + datagrams);
    }

    private static void receive(DatagramSocket socket, List<String> datagrams) {
        byte[] buffer = new byte[65536];
        while (!socket.isClosed()) {
            DatagramPacket packet = new DatagramPacket(buffer, buffer.length);
            try {
                socket.receive(packet);
                datagrams.add(new String(packet.getData(), 0, packet.getLength(), StandardCharsets.UTF_8));
            } catch (SocketTimeoutException idle) {
                // poll until closed
            } catch (java.io.IOException closed) {
                return;
            }
        }
    }
}
