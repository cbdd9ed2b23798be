package com.abiquo.aim.dist.bench;

import com.abiquo.aim.testing.PrivateRedis;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import redis.clients.jedis.DefaultJedisClientConfig;
import redis.clients.jedis.HostAndPort;
import redis.clients.jedis.Jedis;

/**
 * The fleet's redis-server: a {@link PrivateRedis} with the AOF (fsync every second), SIGKILLed and started again
 * on the same port and folder, whose CPU time the benchmark reports over all its runs.
 */
final class FleetRedis implements AutoCloseable {
    private final PrivateRedis redis;
    private long cpuTicksOfEarlierRuns;

    FleetRedis() throws IOException {
        this.redis = new PrivateRedis(true);
    }

    FleetRedis start() throws IOException, InterruptedException {
        redis.start();
        return this;
    }

    /** SIGKILL: no shutdown, no final AOF rewrite; what the AOF holds is what comes back. */
    void kill() throws IOException, InterruptedException {
        cpuTicksOfEarlierRuns += cpuTicks();
        redis.kill();
    }

    String url() {
        return redis.url();
    }

    /** A client as the fleet's readers use it: their timeouts, no protocol negotiation. */
    Jedis client() {
        return new Jedis(new HostAndPort("127.0.0.1", redis.port()), DefaultJedisClientConfig.builder()
                .connectionTimeoutMillis(2000).socketTimeoutMillis(5000).autoNegotiateProtocol(false).build());
    }

    /** CPU seconds redis-server used over all its runs so far (user + system). */
    double cpuSeconds() throws IOException {
        return (cpuTicksOfEarlierRuns + cpuTicks()) / 100.0;
    }

    private long cpuTicks() throws IOException {
        String stat = Files.readString(Path.of("/proc", Long.toString(redis.pid()), "stat"));
        String[] fields = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
        return Long.parseLong(fields[11]) + Long.parseLong(fields[12]); // utime, stime (fields 14, 15 of proc(5))
    }

    @Override
    public void close() throws IOException, InterruptedException {
        redis.close();
    }
}
