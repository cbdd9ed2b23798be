package com.abiquo.aim.server;

import com.abiquo.aim.testing.TestCa;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.abiquo.aim.testing.OutputLines;
import com.abiquo.aim.v1.DomainRef;
import com.abiquo.aim.v1.LibvirtServiceGrpc;
import com.abiquo.aim.v1.PauseDomainRequest;
import io.grpc.ManagedChannel;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * SIGHUP sent to a running AIM process (what systemctl reload does) applies a changed [authorization] to new calls,
 * and an aim.ini that no longer parses changes nothing; AIM keeps running either way.
 */
class SighupReloadTest {
    private static final Pattern LISTENING = Pattern.compile("listening on 127\\.0\\.0\\.1:(\\d+)");

    @TempDir
    Path folder;

    @Test
    void sighupAppliesTheNewRolesAndABrokenFileChangesNothing() throws Exception {
        TestCa ca = TestCa.create(folder.resolve("ca"), "Reload");
        TestCa.Issued node = ca.server("node");
        TestCa.Issued controller = ca.client("controller", "/CN=ctl", "URI:spiffe://abiquo/controller", 2);
        Path config = SafeConfig.write(folder, "tlsCertificate = " + node.certificate() + "\ntlsKey = " + node.key()
                + "\ntlsClientCa = " + ca.certificate() + "\n");
        String base = Files.readString(config);
        Files.writeString(config, base + "\n[authorization]\nreaders = spiffe://abiquo/*\n");
        Process process = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Djava.util.logging.manager=org.apache.logging.log4j.jul.LogManager",
                "-cp", System.getProperty("java.class.path"), AimMain.class.getName(), "-c", config.toString())
                .redirectErrorStream(true)
                .start();
        List<String> log = new CopyOnWriteArrayList<>();
        ProcessOutput.follow(process, log, "aim-stderr");
        try {
            int port = waitFor(process, log, LISTENING);
            ManagedChannel channel = io.grpc.Grpc.newChannelBuilderForAddress("localhost", port,
                    TlsClients.presenting(controller, ca)).build();
            try {
                assertEquals(Status.Code.PERMISSION_DENIED, pauseStatus(channel), "a reader paused a domain");

                Files.writeString(config, base + "\n[authorization]\noperators = spiffe://abiquo/*\n");
                hangUp(process);
                waitFor(process, log, Pattern.compile("reloaded: new connections and calls use"));
                Status.Code asOperator = pauseStatus(channel);
                assertNotEquals(Status.Code.PERMISSION_DENIED, asOperator, String.join("\n", log));

                Files.writeString(config, base + "\n[authorization]\nreaders = spiffe://abiquo/*\n[nonsense\n");
                hangUp(process);
                waitFor(process, log, Pattern.compile("reload refused, nothing changed: .*aim.ini"));
                assertEquals(asOperator, pauseStatus(channel), "the operator role was lost: " + String.join("\n",
                        log));
                assertTrue(process.isAlive(), String.join("\n", log));
            } finally {
                channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
            }
        } finally {
            process.destroy();
            if (!process.waitFor(30, TimeUnit.SECONDS)) {
                process.destroyForcibly();
            }
        }
    }

    /** PauseDomain of a domain that does not exist: PERMISSION_DENIED for a reader, NOT_FOUND for an operator. */
    private static Status.Code pauseStatus(ManagedChannel channel) {
        try {
            LibvirtServiceGrpc.newBlockingStub(channel).withDeadlineAfter(30, TimeUnit.SECONDS)
                    .pauseDomain(PauseDomainRequest.newBuilder()
                            .setDomain(DomainRef.newBuilder().setName("absent-domain")).build());
            return Status.Code.OK;
        } catch (StatusRuntimeException failure) {
            return failure.getStatus().getCode();
        }
    }

    private void hangUp(Process process) throws Exception {
        Tools.Result kill = Tools.run(folder, List.of("kill", "-HUP", String.valueOf(process.pid())));
        assertEquals(0, kill.exitCode(), kill.output());
    }

    private static int waitFor(Process process, List<String> log, Pattern pattern) {
        Matcher matcher = OutputLines.awaitMatch(log, pattern, Duration.ofSeconds(60), process);
        return matcher.groupCount() > 0 ? Integer.parseInt(matcher.group(1)) : 0;
    }
}
