package com.abiquo.aim.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.abiquo.aim.testing.OutputLines;
import com.abiquo.aim.v1.GetAgentInfoRequest;
import com.abiquo.aim.v1.NodeServiceGrpc;
import io.grpc.Grpc;
import io.grpc.InsecureChannelCredentials;
import io.grpc.ManagedChannel;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;

/**
 * AIM's main class in a JVM of its own, on this module's class path, with the JVM options a test gives: started, and
 * listening once {@link #start} returns. {@link #close()} kills it whatever happened.
 */
final class AimJvm implements AutoCloseable {
    private static final Pattern LISTENING = Pattern.compile("listening on 127\\.0\\.0\\.1:(\\d+)");

    private final Process process;
    private final List<String> log;
    private final Thread reader;

    private AimJvm(Process process, List<String> log, Thread reader) {
        this.process = process;
        this.log = log;
        this.reader = reader;
    }

    static AimJvm start(Path config, String... jvmOptions) throws Exception {
        List<String> command = new ArrayList<>(List.of(
                Path.of(System.getProperty("java.home"), "bin", "java").toString()));
        command.addAll(List.of(jvmOptions));
        command.addAll(List.of("-cp", System.getProperty("java.class.path"), AimMain.class.getName(),
                "-c", config.toString()));
        Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
        List<String> log = new CopyOnWriteArrayList<>();
        AimJvm aim = new AimJvm(process, log, ProcessOutput.follow(process, log, "aim-output-" + process.pid()));
        try {
            aim.port();
        } catch (AssertionError | RuntimeException notListening) {
            process.destroyForcibly();
            throw notListening;
        }
        return aim;
    }

    int port() {
        return Integer.parseInt(OutputLines.awaitMatch(log, LISTENING, Duration.ofSeconds(90), process).group(1));
    }

    long pid() {
        return process.pid();
    }

    String output() {
        return String.join("\n", log);
    }

    /** Its output so far, a line each, as it grows. */
    List<String> lines() {
        return Collections.unmodifiableList(log);
    }

    /** It answers a call: NodeService gives its version. */
    void assertAnswers() {
        ManagedChannel channel = Grpc.newChannelBuilderForAddress("127.0.0.1", port(),
                InsecureChannelCredentials.create()).build();
        try {
            assertFalse(NodeServiceGrpc.newBlockingStub(channel).withDeadlineAfter(10, TimeUnit.SECONDS)
                    .getAgentInfo(GetAgentInfoRequest.getDefaultInstance()).getVersion().isEmpty());
        } finally {
            channel.shutdownNow();
        }
    }

    /** After the test sent it a stop signal ({@code how}): it ends within 30 s with status 0, its output read. */
    void assertStoppedCleanly(String how) throws InterruptedException {
        assertTrue(process.waitFor(30, TimeUnit.SECONDS), "AIM did not stop after " + how);
        reader.join(5000);
        assertEquals(0, process.exitValue(), output());
    }

    /** SIGTERM, then {@link #assertStoppedCleanly}. */
    void stopCleanly() throws InterruptedException {
        process.destroy();
        assertStoppedCleanly("SIGTERM");
    }

    /** SIGKILL, as the kernel's OOM killer or `kill -9` would (no shutdown hook, nothing flushed): its exit status. */
    int kill() throws InterruptedException {
        process.destroyForcibly();
        assertTrue(process.waitFor(30, TimeUnit.SECONDS), "AIM " + pid() + " still runs after SIGKILL");
        return process.exitValue();
    }

    /** SIGTERM, and SIGKILL if it still runs 30 s later: a clean-up whatever state the test left it in. */
    void stopOrKill() throws InterruptedException {
        process.destroy();
        if (!process.waitFor(30, TimeUnit.SECONDS)) {
            process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
        }
    }

    @Override
    public void close() {
        process.destroyForcibly();
    }
}
