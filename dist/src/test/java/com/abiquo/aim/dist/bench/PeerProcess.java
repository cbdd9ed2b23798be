package com.abiquo.aim.dist.bench;

import com.abiquo.aim.testing.Ports;
import io.grpc.Grpc;
import io.grpc.InsecureChannelCredentials;
import io.grpc.ManagedChannel;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

/** {@link PlainUnaryPeer} in a JVM of its own (JVM defaults), as AIM runs in its own. */
final class PeerProcess implements AutoCloseable {
    private final Process process;
    private final int port;

    private PeerProcess(Process process, int port) {
        this.process = process;
        this.port = port;
    }

    static PeerProcess start() throws Exception {
        int port = Ports.reusable(); // released here, bound later by the process started below
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        Process process = new ProcessBuilder(java, "-cp", System.getProperty("java.class.path"),
                PlainUnaryPeer.class.getName(), Integer.toString(port))
                .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (!AimProcess.accepts(port)) {
            if (!process.isAlive() || System.nanoTime() > deadline) {
                process.destroyForcibly();
                throw new IllegalStateException("the plain grpc-java peer did not start");
            }
            Thread.onSpinWait();
        }
        return new PeerProcess(process, port);
    }

    ManagedChannel channel() {
        return Grpc.newChannelBuilderForAddress("127.0.0.1", port, InsecureChannelCredentials.create()).build();
    }

    @Override
    public void close() throws InterruptedException {
        process.destroy();
        if (!process.waitFor(30, TimeUnit.SECONDS)) {
            process.destroyForcibly().waitFor();
        }
    }
}
