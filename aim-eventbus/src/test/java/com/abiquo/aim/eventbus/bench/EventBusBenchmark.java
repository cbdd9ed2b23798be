package com.abiquo.aim.eventbus.bench;

import static java.nio.charset.StandardCharsets.UTF_8;

import com.abiquo.aim.eventbus.EventBusModule;
import com.abiquo.aim.eventbus.fixture.AimNode;
import com.abiquo.aim.eventbus.fixture.Churn;
import com.abiquo.aim.testing.PrivateRedis;
import com.abiquo.aim.testing.Waits;
import com.abiquo.aim.v1.EventFilter;
import com.abiquo.aim.v1.EventsMonitorServiceGrpc;
import com.abiquo.aim.v1.SubscribeRequest;
import com.abiquo.aim.v1.SubscribeResponse;
import io.grpc.stub.StreamObserver;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
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
            new PublishRate(redis, events).run(2, intArgument(args, "--rounds", 3));
            if (!Arrays.asList(args).contains("--rate-only")) {
                latency(redis, operations);
            }
        }
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
