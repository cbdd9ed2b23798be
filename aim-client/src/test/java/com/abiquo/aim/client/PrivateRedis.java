package com.abiquo.aim.client;

import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import redis.clients.jedis.Jedis;

/** A real redis-server of this test alone: a free loopback port, a temporary folder, no persistence. */
final class PrivateRedis implements AutoCloseable {
    private final Process process;
    private final Path folder;
    private final int port;

    PrivateRedis() throws IOException, InterruptedException {
        folder = Files.createTempDirectory("aim-redis-");
        try (ServerSocket probe = new ServerSocket(0)) {
            port = probe.getLocalPort();
        }
        process = new ProcessBuilder("redis-server", "--port", Integer.toString(port), "--bind", "127.0.0.1",
                "--save", "", "--appendonly", "no", "--dir", folder.toString())
                .redirectErrorStream(true).redirectOutput(folder.resolve("redis.log").toFile()).start();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        while (true) {
            try (Jedis jedis = new Jedis("127.0.0.1", port)) {
                if ("PONG".equals(jedis.ping())) {
                    return;
                }
            } catch (RuntimeException notYet) {
                if (!process.isAlive() || System.nanoTime() > deadline) {
                    throw new IllegalStateException("redis-server did not start: "
                            + Files.readString(folder.resolve("redis.log")), notYet);
                }
                TimeUnit.MILLISECONDS.sleep(20);
            }
        }
    }

    int port() {
        return port;
    }

    Jedis connect() {
        return new Jedis("127.0.0.1", port);
    }

    @Override
    public void close() throws Exception {
        process.destroy();
        process.waitFor(10, TimeUnit.SECONDS);
        new ProcessBuilder("rm", "-rf", folder.toString()).start().waitFor();
    }
}
