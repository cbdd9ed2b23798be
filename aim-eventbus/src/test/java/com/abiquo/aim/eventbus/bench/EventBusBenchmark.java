package com.abiquo.aim.eventbus.bench;

import static java.nio.charset.StandardCharsets.UTF_8;

import com.abiquo.aim.core.module.HealthReporter;
import com.abiquo.aim.core.module.NodeIdentity;
import com.abiquo.aim.eventbus.Backoff;
import com.abiquo.aim.eventbus.BusStatus;
import com.abiquo.aim.eventbus.EventBusModule;
import com.abiquo.aim.eventbus.PublisherMetrics;
import com.abiquo.aim.eventbus.fixture.AimNode;
import com.abiquo.aim.eventbus.fixture.Churn;
import com.abiquo.aim.eventbus.redis.RedisConnector;
import com.abiquo.aim.eventbus.redis.RedisEndpoint;
import com.abiquo.aim.eventbus.stream.JournalForwarder;
import com.abiquo.aim.eventbus.stream.RedisStreamSink;
import com.abiquo.aim.eventbus.stream.StreamEntries;
import com.abiquo.aim.testing.PrivateRedis;
import com.abiquo.aim.testing.Waits;
import com.abiquo.aim.v1.EventFilter;
import com.abiquo.aim.v1.EventsMonitorServiceGrpc;
import com.abiquo.aim.v1.SubscribeRequest;
import com.abiquo.aim.v1.SubscribeResponse;
import io.grpc.stub.StreamObserver;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import redis.clients.jedis.Jedis;
import redis.clients.jedis.Protocol;

/**
 * scripts/bench-eventbus: (1) events per second the bus publishes from a synthetic journal into a private
 * redis-server, next to redis-benchmark's pipelined XADD of entries of the same size to the same server in the same
 * run; (2) the latency from a libvirt domain operation (test driver) to a consumer's XREAD and to a gRPC subscriber,
 * p50/p99, and to the gRPC subscriber while Redis is frozen. Prints figures; it is not a test.
 */
public final class EventBusBenchmark {
    private EventBusBenchmark() {
    }

    public static void main(String[] args) throws Exception {
        int events = intArgument(args, "--events", 200_000);
        int operations = intArgument(args, "--operations", 1000);
        try (PrivateRedis redis = new PrivateRedis(false).start()) {
            System.out.printf("redis-server %s, private, port %d (no AOF)%n", version(), redis.port());
            throughput(redis, events);
            latency(redis, operations);
        }
    }

    private static void throughput(PrivateRedis redis, int count) throws Exception {
        SyntheticFeed feed = new SyntheticFeed(count);
        String key = "bench:bus";
        StreamEntries entries = new StreamEntries(key, 1_000_000, new NodeIdentity("bench-node-01.example",
                "10.10.1.21"));
        byte[][] sample = entries.event(feed.first());
        // The peer: the same fields with values of the same length ('*' IDs: explicit ones would be refused)
        List<String> peer = new ArrayList<>(List.of("redis-benchmark", "-h", "127.0.0.1", "-p",
                Integer.toString(redis.port()), "-n", Integer.toString(count), "--csv"));
        List<String> command = new ArrayList<>(List.of("XADD", "bench:peer", "MAXLEN", "~", "1000000", "*"));
        for (int index = 5; index < sample.length; index++) {
            command.add(index % 2 == 1 ? new String(sample[index], UTF_8) : "x".repeat(sample[index].length));
        }
        // The JIT needs a few rounds: two warm-up rounds, then bus and peer alternate (the machine is shared, its
        // load moves) and the medians are compared.
        List<Double> bus = new ArrayList<>();
        List<Double> peers = new ArrayList<>();
        for (int run = 0; run < 5; run++) {
            try (Jedis jedis = redis.client()) {
                jedis.del(key, "bench:peer");
            }
            long took = publish(redis, feed, entries, key);
            double rate = count / (took / 1e9);
            System.out.printf("%s bus (1 connection, pipelines of 512): %,d events in %.2f s = %,.0f events/s%n",
                    run < 2 ? "warm-up" : "round " + (run - 1), count, took / 1e9, rate);
            if (run >= 2) {
                bus.add(rate);
                double peerRate = peer(peer, command, 1, 512);
                peers.add(peerRate);
                System.out.printf("round %d redis-benchmark XADD, same entry size, -c 1 -P 512: %,.0f/s%n", run - 1,
                        peerRate);
            }
        }
        double many = peer(peer, command, 50, 16);
        double busMedian = median(bus);
        double peerMedian = median(peers);
        System.out.printf("redis-benchmark XADD -c 50 -P 16 (the server's best with many clients): %,.0f/s%n", many);
        System.out.printf("median: bus %,.0f events/s, redis-benchmark -c 1 -P 512 %,.0f/s: %.0f%% (target >= 50%%)%n",
                busMedian, peerMedian, 100 * busMedian / peerMedian);
    }

    private static double median(List<Double> values) {
        List<Double> sorted = new ArrayList<>(values);
        sorted.sort(null);
        return sorted.get(sorted.size() / 2);
    }

    private static long publish(PrivateRedis redis, SyntheticFeed feed, StreamEntries entries, String key)
            throws Exception {
        RedisConnector connector = new RedisConnector(RedisEndpoint.plain("127.0.0.1", redis.port()),
                Duration.ofSeconds(2), Duration.ofSeconds(10), "bench");
        RedisStreamSink sink = new RedisStreamSink(connector, key, entries, Clock.systemUTC());
        BusStatus status = new BusStatus("bench", "bench", new HealthReporter() {
            @Override
            public void serving(String serviceName) {
            }

            @Override
            public void notServing(String serviceName, String why) {
                System.out.println("bus not serving: " + why);
            }
        }, Duration.ofSeconds(60), System::nanoTime);
        JournalForwarder forwarder = new JournalForwarder(() -> Optional.of(feed), sink, status, 512,
                new Backoff(Duration.ofMillis(100), Duration.ofSeconds(1)), PublisherMetrics.detached("stream"));
        Thread thread = new Thread(forwarder, "bench-forwarder");
        long start = System.nanoTime();
        thread.start();
        // polled every millisecond (the figure's resolution), not spun: the machine has 2 cores, and Redis needs one
        Waits.await("the forwarder to publish the whole journal", Duration.ofMinutes(10), Duration.ofMillis(1),
                () -> forwarder.publishedSequence() >= feed.newestSequence());
        long took = System.nanoTime() - start;
        forwarder.stop();
        thread.join();
        try (Jedis jedis = redis.client()) {
            long length = jedis.xlen(key);
            if (length != feed.newestSequence()) {
                throw new AssertionError("the stream holds " + length + " entries");
            }
        }
        return took;
    }

    private static double peer(List<String> base, List<String> command, int clients, int pipeline)
            throws Exception {
        List<String> line = new ArrayList<>(base);
        line.addAll(List.of("-c", Integer.toString(clients), "-P", Integer.toString(pipeline)));
        line.addAll(command);
        Process process = new ProcessBuilder(line).redirectErrorStream(true).start();
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
        process.waitFor(5, TimeUnit.MINUTES);
        return rate;
    }

    /**
     * One operation at a time: its latency to a consumer's XREAD and to a gRPC subscriber; then, with Redis frozen
     * (SIGSTOP), to the gRPC subscriber again: the bus must not slow it.
     */
    private static void latency(PrivateRedis redis, int operations) throws Exception {
        String host = "bench-latency";
        String key = "aim:events:" + host;
        try (AimNode node = new AimNode(Map.of("eventbus", Map.of("url", redis.url())), host);
             Jedis consumer = redis.client()) {
            Waits.await("EventBus SERVING", Duration.ofSeconds(30),
                    () -> node.health(EventBusModule.STREAM_SERVICE).equals("SERVING"));
            BlockingQueue<Long> grpcReceived = new LinkedBlockingQueue<>();
            EventsMonitorServiceGrpc.newStub(node.channel()).subscribe(SubscribeRequest.newBuilder()
                    .setFilter(EventFilter.newBuilder().setAllDomains(true)).build(),
                    new StreamObserver<SubscribeResponse>() {
                        @Override
                        public void onNext(SubscribeResponse response) {
                            if (response.hasEvent()) {
                                grpcReceived.add(System.nanoTime());
                            }
                        }

                        @Override
                        public void onError(Throwable failure) {
                        }

                        @Override
                        public void onCompleted() {
                        }
                    });
            Churn churn = new Churn(node.libvirt(), "bench-latency", 1);
            grpcReceived.poll(5, TimeUnit.SECONDS); // the domain's definition
            Waits.await("the definition to reach the stream", Duration.ofSeconds(30), Duration.ofMillis(1),
                    () -> consumer.xinfoStream(key).getLastGeneratedId().getTime() >= node.feed().newestSequence());
            // read from the current top ("$" would miss an entry published before the first XREAD)
            String last = consumer.xinfoStream(key).getLastGeneratedId().toString();
            long[] toRedis = new long[operations];
            long[] toGrpc = new long[operations];
            for (int operation = -50; operation < operations; operation++) { // 50 warm-up operations
                long start = System.nanoTime();
                churn.step();
                Long grpc = grpcReceived.poll(5, TimeUnit.SECONDS);
                // wait for this operation's event in the stream
                while (true) {
                    List<?> answer = (List<?>) consumer.sendCommand(Protocol.Command.XREAD, bytes("BLOCK"),
                            bytes("5000"), bytes("STREAMS"), bytes(key), bytes(last));
                    if (answer == null || grpc == null) {
                        throw new AssertionError("no event within 5 s");
                    }
                    List<?> entries = (List<?>) ((List<?>) answer.get(0)).get(1);
                    last = new String((byte[]) ((List<?>) entries.get(entries.size() - 1)).get(0), UTF_8);
                    if (last.endsWith("-0")) {
                        break;
                    }
                }
                if (operation >= 0) {
                    toRedis[operation] = System.nanoTime() - start;
                    toGrpc[operation] = grpc - start;
                }
            }
            print("domain operation (test driver) -> callback -> journal -> bus -> consumer XREAD", toRedis);
            print("domain operation -> gRPC subscriber, Redis up", toGrpc);
            int frozenOperations = Math.min(operations, 500);
            long[] frozen = new long[frozenOperations];
            redis.freeze();
            try {
                for (int operation = 0; operation < frozenOperations; operation++) {
                    long start = System.nanoTime();
                    churn.step();
                    Long grpc = grpcReceived.poll(5, TimeUnit.SECONDS);
                    if (grpc == null) {
                        throw new AssertionError("no gRPC event within 5 s while Redis is frozen");
                    }
                    frozen[operation] = grpc - start;
                }
            } finally {
                redis.thaw();
            }
            print("domain operation -> gRPC subscriber, Redis frozen (SIGSTOP)", frozen);
        }
    }

    private static void print(String what, long[] nanos) {
        long[] sorted = nanos.clone();
        Arrays.sort(sorted);
        System.out.printf("%s, %d operations one at a time: p50 %.3f ms, p99 %.3f ms, max %.3f ms%n", what,
                sorted.length, sorted[sorted.length / 2] / 1e6, sorted[sorted.length * 99 / 100] / 1e6,
                sorted[sorted.length - 1] / 1e6);
    }

    private static byte[] bytes(String text) {
        return text.getBytes(UTF_8);
    }

    private static String version() throws Exception {
        Process process = new ProcessBuilder("redis-server", "--version").redirectErrorStream(true).start();
        String text = new String(process.getInputStream().readAllBytes(), UTF_8).strip();
        process.waitFor();
        return text.replaceAll(".*v=(\\S+).*", "$1");
    }

    private static int intArgument(String[] args, String name, int defaultValue) {
        for (int index = 0; index + 1 < args.length; index++) {
            if (args[index].equals(name)) {
                return Integer.parseInt(args[index + 1]);
            }
        }
        return defaultValue;
    }
}
