package com.abiquo.aim.dist.bench;

import com.abiquo.aim.testing.Waits;
import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.TimeUnit;
import redis.clients.jedis.DefaultJedisClientConfig;
import redis.clients.jedis.HostAndPort;
import redis.clients.jedis.Jedis;
import redis.clients.jedis.exceptions.JedisConnectionException;
import redis.clients.jedis.exceptions.JedisDataException;

/**
 * The fleet's redis-server: a free loopback port, a folder of its own with the AOF (fsync every second), SIGKILLed
 * and started again on the same port and folder. The system instance on 6379 is never used.
 */
final class FleetRedis implements AutoCloseable {
    private final Path folder;
    private final int port;
    private Process process;
    private long cpuTicksOfEarlierRuns;

    FleetRedis() throws IOException {
        this.folder = Files.createTempDirectory("aim-fleet-redis-");
        try (ServerSocket free = new ServerSocket(0)) {
            this.port = free.getLocalPort();
        }
    }

    FleetRedis start() throws IOException, InterruptedException {
        process = new ProcessBuilder(List.of("redis-server", "--port", Integer.toString(port), "--bind", "127.0.0.1",
                "--dir", folder.toString(), "--daemonize", "no", "--appendonly", "yes", "--appendfsync", "everysec",
                "--save", "", "--logfile", folder.resolve("redis.log").toString()))
                .redirectErrorStream(true).redirectOutput(folder.resolve("stdout.log").toFile()).start();
        Waits.await("redis-server on port " + port + " to answer", Duration.ofSeconds(30), Duration.ofMillis(20),
                this::answers, () -> Files.readString(folder.resolve("redis.log")));
        return this;
    }

    private boolean answers() throws IOException {
        try (Jedis jedis = client()) {
            jedis.ping();
            return true;
        } catch (JedisDataException loading) {
            if (!String.valueOf(loading.getMessage()).startsWith("LOADING")) {
                throw loading;
            }
            return false; // still reading its AOF
        } catch (JedisConnectionException notYet) {
            if (!process.isAlive()) {
                throw new IOException("redis-server on port " + port + " ended: "
                        + Files.readString(folder.resolve("redis.log")), notYet);
            }
            return false;
        }
    }

    /** SIGKILL: no shutdown, no final AOF rewrite; what the AOF holds is what comes back. */
    void kill() throws IOException, InterruptedException {
        cpuTicksOfEarlierRuns += cpuTicks();
        process.destroyForcibly();
        process.waitFor(10, TimeUnit.SECONDS);
    }

    String url() {
        return "redis://127.0.0.1:" + port;
    }

    Jedis client() {
        return new Jedis(new HostAndPort("127.0.0.1", port), DefaultJedisClientConfig.builder()
                .connectionTimeoutMillis(2000).socketTimeoutMillis(5000).autoNegotiateProtocol(false).build());
    }

    /** CPU seconds redis-server used over all its runs so far (user + system). */
    double cpuSeconds() throws IOException {
        return (cpuTicksOfEarlierRuns + cpuTicks()) / 100.0;
    }

    private long cpuTicks() throws IOException {
        String stat = Files.readString(Path.of("/proc", Long.toString(process.pid()), "stat"));
        String[] fields = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
        return Long.parseLong(fields[11]) + Long.parseLong(fields[12]); // utime, stime (fields 14, 15 of proc(5))
    }

    @Override
    public void close() throws IOException, InterruptedException {
        if (process != null) {
            process.destroyForcibly();
            process.waitFor(10, TimeUnit.SECONDS);
        }
        try (var files = Files.walk(folder)) {
            files.sorted(Comparator.reverseOrder()).forEach(path -> path.toFile().delete());
        }
    }
}
