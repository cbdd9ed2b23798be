package com.abiquo.aim.eventbus.bench;

import static java.nio.charset.StandardCharsets.UTF_8;

import com.abiquo.aim.core.module.HealthReporter;
import com.abiquo.aim.core.module.NodeIdentity;
import com.abiquo.aim.eventbus.Backoff;
import com.abiquo.aim.eventbus.BusStatus;
import com.abiquo.aim.eventbus.PublisherMetrics;
import com.abiquo.aim.eventbus.redis.RedisConnector;
import com.abiquo.aim.eventbus.redis.RedisEndpoint;
import com.abiquo.aim.eventbus.stream.JournalForwarder;
import com.abiquo.aim.eventbus.stream.RedisStreamSink;
import com.abiquo.aim.eventbus.stream.StreamEntries;
import com.abiquo.aim.testing.PrivateRedis;
import com.abiquo.aim.testing.Waits;
import com.abiquo.aim.v1.DomainEvent;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.lang.management.GarbageCollectorMXBean;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import redis.clients.jedis.Jedis;

/**
 * The bus's publishing rate against redis-benchmark's, like with like in each round: the same redis-server, the same
 * number of entries, entries of the same size (the same fields, values of the same lengths, MAXLEN ~ alike), one
 * connection and pipelines of the same depth (the bus's batch, redis-benchmark's -P). Each round also prints where the
 * time went: Redis's own CPU per entry (INFO cpu) for both, the forwarder thread's CPU against the wall time, and
 * the JVM's GC time.
 */
final class PublishRate {
    /** The bus's batch (EventBusModule's, unless -Dbench.depth) and the peer's pipeline depth. */
    static final int DEPTH = Integer.getInteger("bench.depth", 512);
    private static final String BUS_KEY = "bench:bus";
    private static final String PEER_KEY = "bench:ref"; // same length as the bus's key

    private final PrivateRedis redis;
    private final int count;
    private final SyntheticFeed feed;
    private final StreamEntries entries;
    private final List<String> peerCommand;

    /** @param events rounded up to whole pipelines (redis-benchmark -P sends whole pipelines) */
    PublishRate(PrivateRedis redis, int events) {
        this.redis = redis;
        this.count = (events + DEPTH - 1) / DEPTH * DEPTH;
        this.feed = new SyntheticFeed(count);
        this.entries = new StreamEntries(BUS_KEY, 1_000_000, new NodeIdentity("bench-node-01.example",
                "10.10.1.21"));
        byte[][] sample = entries.event(feed.events().get(0));
        peerCommand = new ArrayList<>(List.of("redis-benchmark", "-h", "127.0.0.1", "-p",
                Integer.toString(redis.port()), "-n", Integer.toString(count), "-c", "1", "-P",
                Integer.toString(DEPTH), "--csv", "XADD", PEER_KEY, "MAXLEN", "~", "1000000", "*"));
        // the same fields, values of the same lengths; '*' IDs (explicit ones would be refused after the first run)
        for (int index = 5; index < sample.length; index++) {
            peerCommand.add(index % 2 == 1 ? new String(sample[index], UTF_8) : "x".repeat(sample[index].length));
        }
    }

    /** One round of each, {@code rounds} times after {@code warmUps} rounds of the bus alone (the JIT). */
    void run(int warmUps, int rounds) throws Exception {
        System.out.printf("publishing: %,d entries of %d bytes of fields each, one connection, pipelines of %d, "
                + "MAXLEN ~ 1000000, on the same private redis-server%n", count, fieldBytes(), DEPTH);
        for (int round = 0; round < warmUps; round++) {
            Figures bus = bus();
            System.out.printf("warm-up %d: bus %,.0f events/s%n", round + 1, bus.rate());
        }
        System.out.printf("encoding alone (StreamEntries.event, no I/O): %.2f µs per event%n", encodingMicros());
        List<Double> ratios = new ArrayList<>();
        for (int round = 1; round <= rounds; round++) {
            Figures bus = bus();
            Figures peer = peer();
            double ratio = bus.rate() / peer.rate();
            ratios.add(ratio);
            System.out.printf("round %d: bus %,.0f events/s, redis-benchmark -c 1 -P %d %,.0f XADD/s: %.0f %% "
                            + "(target >= 50 %%)%n", round, bus.rate(), DEPTH, peer.rate(), 100 * ratio);
            System.out.printf("  Redis CPU per entry: bus %.1f µs, redis-benchmark %.1f µs; the bus's thread: %.1f µs "
                            + "CPU per entry (%.1f µs in the kernel), %.0f %% of its wall time %.2f s; GC %d ms in %d "
                            + "collections%n", bus.redisCpuMicrosPerEntry(), peer.redisCpuMicrosPerEntry(),
                    bus.threadCpuNanos() / 1e3 / count, (bus.threadCpuNanos() - bus.threadUserNanos()) / 1e3 / count,
                    100.0 * bus.threadCpuNanos() / bus.wallNanos(), bus.wallNanos() / 1e9, bus.gcMillis(),
                    bus.gcCount());
        }
        ratios.sort(null);
        System.out.printf("bus / redis-benchmark, median of %d rounds: %.0f %% (rounds: %s) (target >= 50 %%)%n",
                rounds, 100 * ratios.get(ratios.size() / 2), ratios.stream()
                        .map(ratio -> String.format("%.0f %%", 100 * ratio)).toList());
    }

    private int fieldBytes() {
        byte[][] sample = entries.event(feed.events().get(0));
        int bytes = 0;
        for (int index = 5; index < sample.length; index++) {
            bytes += sample[index].length;
        }
        return bytes;
    }

    private double encodingMicros() {
        long start = System.nanoTime();
        long sink = 0;
        for (DomainEvent event : feed.events()) {
            sink += entries.event(event).length;
        }
        long took = System.nanoTime() - start;
        if (sink == 0) {
            throw new AssertionError();
        }
        return took / 1e3 / count;
    }

    /** What one round measured. */
    private record Figures(long entries, long wallNanos, double redisCpuSeconds, long threadCpuNanos,
                           long threadUserNanos, long gcMillis, long gcCount) {
        double rate() {
            return entries / (wallNanos / 1e9);
        }

        double redisCpuMicrosPerEntry() {
            return redisCpuSeconds * 1e6 / entries;
        }
    }

    private Figures bus() throws Exception {
        clear();
        RedisConnector connector = new RedisConnector(RedisEndpoint.plain("127.0.0.1", redis.port()),
                Duration.ofSeconds(2), Duration.ofSeconds(10), "bench");
        RedisStreamSink sink = new RedisStreamSink(connector, BUS_KEY, entries, Clock.systemUTC());
        JournalForwarder forwarder = new JournalForwarder(() -> Optional.of(feed), sink, quietStatus(), DEPTH,
                new Backoff(Duration.ofMillis(100), Duration.ofSeconds(1)), PublisherMetrics.detached("stream"));
        Thread thread = new Thread(forwarder, "bench-forwarder");
        ThreadMXBean threads = ManagementFactory.getThreadMXBean();
        long[] gcBefore = gc();
        double cpuBefore = redisCpuSeconds();
        long start = System.nanoTime();
        thread.start();
        // polled every millisecond (the figure's resolution), not spun: the machine has 2 cores, and Redis needs one
        Waits.await("the forwarder to publish the whole journal", Duration.ofMinutes(10), Duration.ofMillis(1),
                () -> forwarder.publishedSequence() >= feed.newestSequence());
        long took = System.nanoTime() - start;
        long threadCpu = threads.getThreadCpuTime(thread.getId());
        long threadUser = threads.getThreadUserTime(thread.getId());
        double cpuAfter = redisCpuSeconds();
        long[] gcAfter = gc();
        forwarder.stop();
        thread.join();
        try (Jedis jedis = redis.client()) {
            long length = jedis.xlen(BUS_KEY);
            if (length != count + 2) { // the start's marker and snapshot-end, then every event
                throw new AssertionError("the stream holds " + length + " entries, not " + (count + 2));
            }
        }
        return new Figures(count, took, cpuAfter - cpuBefore, threadCpu, threadUser, gcAfter[0] - gcBefore[0],
                gcAfter[1] - gcBefore[1]);
    }

    private Figures peer() throws Exception {
        clear();
        double cpuBefore = redisCpuSeconds();
        long start = System.nanoTime();
        Process process = new ProcessBuilder(peerCommand).redirectErrorStream(true).start();
        double rate = -1;
        try (BufferedReader output = new BufferedReader(new InputStreamReader(process.getInputStream(), UTF_8))) {
            String row;
            while ((row = output.readLine()) != null) {
                String[] cells = row.split("\",\"");
                if (cells.length > 1 && !cells[0].contains("test")) {
                    rate = Double.parseDouble(cells[1].replace("\"", ""));
                }
            }
        }
        if (!process.waitFor(5, TimeUnit.MINUTES) || rate <= 0) {
            throw new AssertionError("redis-benchmark gave no rate");
        }
        long took = System.nanoTime() - start;
        double cpuAfter = redisCpuSeconds();
        try (Jedis jedis = redis.client()) {
            long length = jedis.xlen(PEER_KEY);
            if (length != count) {
                throw new AssertionError("redis-benchmark's stream holds " + length + " entries, not " + count);
            }
        }
        // redis-benchmark's own figure (its first request to its last reply); the process's start is not counted
        return new Figures(count, (long) (count / rate * 1e9), cpuAfter - cpuBefore, took, 0, 0, 0);
    }

    private void clear() {
        try (Jedis jedis = redis.client()) {
            jedis.del(BUS_KEY, PEER_KEY);
        }
    }

    /** Redis's used_cpu_user + used_cpu_sys (its own process, every thread). */
    private double redisCpuSeconds() {
        try (Jedis jedis = redis.client()) {
            double seconds = 0;
            for (String line : jedis.info("cpu").split("\r?\n")) {
                if (line.startsWith("used_cpu_user:") || line.startsWith("used_cpu_sys:")) {
                    seconds += Double.parseDouble(line.substring(line.indexOf(':') + 1));
                }
            }
            return seconds;
        }
    }

    private static long[] gc() {
        long millis = 0;
        long collections = 0;
        for (GarbageCollectorMXBean collector : ManagementFactory.getGarbageCollectorMXBeans()) {
            millis += Math.max(0, collector.getCollectionTime());
            collections += Math.max(0, collector.getCollectionCount());
        }
        return new long[] {millis, collections};
    }

    private static BusStatus quietStatus() {
        return new BusStatus("bench", "bench", new HealthReporter() {
            @Override
            public void serving(String serviceName) {
            }

            @Override
            public void notServing(String serviceName, String why) {
                System.out.println("bus not serving: " + why);
            }
        }, Duration.ofSeconds(60), System::nanoTime);
    }
}
