package com.abiquo.aim.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeFalse;

import com.abiquo.aim.testing.OutputLines;
import com.abiquo.aim.testing.Waits;
import com.abiquo.aim.v1.GetAgentInfoRequest;
import com.abiquo.aim.v1.NodeServiceGrpc;
import io.grpc.Grpc;
import io.grpc.InsecureChannelCredentials;
import io.grpc.ManagedChannel;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** AIM as a real process: stderr and syslog logging, SIGTERM and SIGINT end it gracefully with status 0. */
class ProcessTest {
    private static final Pattern LISTENING = Pattern.compile("listening on 127\\.0\\.0\\.1:(\\d+)");

    @TempDir
    Path folder;

    @Test
    void sigtermStopsGracefullyWithStatus0AndLogsToStderrAndSyslog() throws Exception {
        stopsWith("TERM");
    }

    @Test
    void sigintStopsGracefullyWithStatus0() throws Exception {
        // A JVM leaves a signal ignored that it inherits as ignored: so does AIM started by these tests when they run
        // under nohup or as a background job of a script (e.g. `mvn verify &`), and SIGINT cannot stop it then.
        assumeFalse(sigintIgnoredHere(), "SIGINT is ignored by whoever started the tests; AIM would inherit that");
        stopsWith("INT");
    }

    /** Whether this process ignores SIGINT (signal 2: bit 1 of SigIgn in /proc/self/status). */
    private static boolean sigintIgnoredHere() throws java.io.IOException {
        for (String line : java.nio.file.Files.readAllLines(Path.of("/proc/self/status"))) {
            if (line.startsWith("SigIgn:")) {
                return (Long.parseUnsignedLong(line.substring("SigIgn:".length()).strip(), 16) & 0b10) != 0;
            }
        }
        return false;
    }

    private void stopsWith(String signal) throws Exception {
        Path config = SafeConfig.write(folder, "");
        try (DatagramSocket syslog = new DatagramSocket(0, InetAddress.getLoopbackAddress())) {
            syslog.setSoTimeout(200);
            List<String> datagrams = new CopyOnWriteArrayList<>();
            Thread receiver = new Thread(() -> receive(syslog, datagrams), "syslog-receiver");
            receiver.setDaemon(true);
            receiver.start();

            Process process = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                    "-Djava.util.logging.manager=org.apache.logging.log4j.jul.LogManager",
                    "-Daim.syslog.host=127.0.0.1", "-Daim.syslog.port=" + syslog.getLocalPort(),
                    "-cp", System.getProperty("java.class.path"), AimMain.class.getName(), "-c", config.toString())
                    .redirectErrorStream(true)
                    .start();
            List<String> log = new CopyOnWriteArrayList<>();
            Thread reader = ProcessOutput.follow(process, log, "aim-stderr");
            try {
                int port = waitForPort(process, log);
                ManagedChannel channel = Grpc.newChannelBuilderForAddress("127.0.0.1", port,
                        InsecureChannelCredentials.create()).build();
                try {
                    assertFalse(NodeServiceGrpc.newBlockingStub(channel).withDeadlineAfter(10, TimeUnit.SECONDS)
                            .getAgentInfo(GetAgentInfoRequest.getDefaultInstance()).getVersion().isEmpty());
                } finally {
                    channel.shutdownNow();
                }
                Tools.Result kill = Tools.run(folder, List.of("kill", "-" + signal, String.valueOf(process.pid())));
                assertEquals(0, kill.exitCode(), kill.output());
                assertTrue(process.waitFor(30, TimeUnit.SECONDS), "AIM did not stop after SIG" + signal);
                reader.join(5000);
                assertEquals(0, process.exitValue(), String.join("\n", log));
                String text = String.join("\n", log);
                assertTrue(text.contains("received SIG" + signal + ": shutting down"), text);
                assertTrue(text.contains("AIM stopped cleanly"), text);
                assertFalse(text.contains("is not routed to log4j2"), "JUL must be routed to log4j2:\n" + text);
                Waits.await("the syslog datagram saying \"AIM stopped cleanly\"", Duration.ofSeconds(5),
                        () -> datagrams.stream().anyMatch(d -> d.contains("AIM stopped cleanly")));
                String listening = datagrams.stream().filter(d -> d.contains("listening on")).findFirst()
                        .orElseThrow(() -> new AssertionError("no syslog datagram says 'listening on': "
                                + datagrams));
                // RFC 5424: <PRI>1 TIMESTAMP HOST APP-NAME ...; PRI 30 = facility daemon (3) * 8 + info (6)
                assertTrue(listening.startsWith("<30>1 "), listening);
                assertTrue(listening.contains(" abiquo-aim "), listening);
                assertTrue(datagrams.stream().anyMatch(d -> d.contains("AIM stopped cleanly")), datagrams.toString());
            } finally {
                process.destroyForcibly();
            }
        }
    }

    private static int waitForPort(Process process, List<String> log) {
        return Integer.parseInt(OutputLines.awaitMatch(log, LISTENING, Duration.ofSeconds(60), process).group(1));
    }

    private static void receive(DatagramSocket socket, List<String> datagrams) {
        byte[] buffer = new byte[65536];
        while (!socket.isClosed()) {
            DatagramPacket packet = new DatagramPacket(buffer, buffer.length);
            try {
                socket.receive(packet);
                datagrams.add(new String(packet.getData(), 0, packet.getLength(), StandardCharsets.UTF_8));
            } catch (SocketTimeoutException idle) {
                // poll again until closed
            } catch (java.io.IOException closed) {
                return;
            }
        }
    }
}
