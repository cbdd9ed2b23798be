package com.abiquo.aim.dist.bench;

import com.abiquo.aim.v1.DomainRef;
import com.abiquo.aim.v1.EventsMonitorServiceGrpc;
import com.abiquo.aim.v1.GetDomainStateRequest;
import com.abiquo.aim.v1.LibvirtServiceGrpc;
import com.abiquo.aim.v1.PowerOffDomainRequest;
import com.abiquo.aim.v1.PowerOnDomainRequest;
import com.abiquo.aim.v1.SubscribeRequest;
import com.abiquo.aim.v1.SubscribeResponse;
import io.grpc.ManagedChannel;
import io.grpc.stub.StreamObserver;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

/**
 * scripts/bench-footprint: the built distribution with the options it ships ("new") against a distribution of an
 * earlier revision with its own launcher ("old"), in the same run, on the same libvirt:
 * <ol>
 *   <li>start-up to listening (a TCP connect succeeds), several starts each, interleaved;</li>
 *   <li>RSS idle, then sampled while 100 subscribers are open and callers read for --load-seconds, then after the
 *       load stopped;</li>
 *   <li>GetDomainState latency of 200 concurrent callers while 4 domains cycle PowerOff/PowerOn (slow on real KVM),
 *       and the read throughput.</li>
 * </ol>
 * Usage: FootprintBench OLD_DIST NEW_DIST URI [--domains N] [--load-seconds S] [--starts N] [--slow-seconds S]
 */
public final class FootprintBench {
    private FootprintBench() {
    }

    public static void main(String[] args) throws Exception {
        Path oldDist = Path.of(args[0]);
        Path newDist = Path.of(args[1]);
        String uri = args[2];
        int domains = option(args, "--domains", 10);
        int loadSeconds = option(args, "--load-seconds", 60);
        int starts = option(args, "--starts", 5);
        int slowSeconds = option(args, "--slow-seconds", 30);
        List<String> names = BenchDomains.create(uri, domains);
        try {
            List<Variant> variants = List.of(new Variant("old", oldDist), new Variant("new", newDist));
            System.out.printf("AIM footprint on %s with %d domains (%s); old = %s, new = %s%n", uri, names.size(),
                    BenchDomains.kind(uri), oldDist, newDist);
            for (int round = 0; round < starts; round++) {
                for (Variant variant : variants) {
                    try (AimProcess aim = AimProcess.start(variant.dist, uri)) {
                        variant.startMillis.add(aim.startupMillis());
                    }
                }
            }
            for (Variant variant : variants) {
                try (AimProcess aim = AimProcess.start(variant.dist, uri)) {
                    aim.settle();
                    variant.idleKib = aim.rssKib();
                    variant.loadMaxKib = load(aim, names, loadSeconds);
                    aim.settle();
                    variant.afterKib = aim.rssKib();
                    if (names.size() >= 5) {
                        variant.reads = readsUnderSlowActions(aim, names, slowSeconds);
                    }
                }
            }
            for (Variant variant : variants) {
                System.out.printf("%-4s start to listening ms: %s%n", variant.name, Stats.of(variant.startMillis));
                System.out.printf("%-4s RSS MiB idle %.1f | max under 100 subscribers + %d s of reads %.1f |"
                        + " after the load %.1f%n", variant.name, variant.idleKib / 1024.0, loadSeconds,
                        variant.loadMaxKib / 1024.0, variant.afterKib / 1024.0);
                if (variant.reads != null) {
                    System.out.printf("%-4s GetDomainState under 4 power cycles, 200 callers: %s%n", variant.name,
                            variant.reads);
                }
            }
        } finally {
            BenchDomains.remove(names);
        }
    }

    /** 100 open subscriptions and 32 callers reading for the given time; returns the largest RSS sampled. */
    private static long load(AimProcess aim, List<String> names, int seconds) throws Exception {
        ManagedChannel channel = aim.channel();
        List<StreamObserver<SubscribeResponse>> subscribers = new ArrayList<>();
        AtomicLong received = new AtomicLong();
        for (int i = 0; i < 100; i++) {
            StreamObserver<SubscribeResponse> observer = new StreamObserver<>() {
                @Override
                public void onNext(SubscribeResponse value) {
                    received.incrementAndGet();
                }

                @Override
                public void onError(Throwable failure) {
                }

                @Override
                public void onCompleted() {
                }
            };
            EventsMonitorServiceGrpc.newStub(channel).subscribe(SubscribeRequest.newBuilder()
                    .setIncludeSnapshot(true).build(), observer);
            subscribers.add(observer);
        }
        AtomicBoolean running = new AtomicBoolean(true);
        List<Thread> callers = new ArrayList<>();
        DomainRef domain = DomainRef.newBuilder().setName(names.isEmpty() ? "test" : names.get(0)).build();
        for (int i = 0; i < 32; i++) {
            Thread caller = new Thread(() -> {
                var stub = LibvirtServiceGrpc.newBlockingStub(channel);
                while (running.get()) {
                    stub.getDomainState(GetDomainStateRequest.newBuilder().setDomain(domain).build());
                }
            });
            caller.start();
            callers.add(caller);
        }
        long max = 0;
        long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
        while (System.nanoTime() < end) {
            max = Math.max(max, aim.rssKib());
            Thread.sleep(1000); // a sampling period, not a wait for something
        }
        running.set(false);
        for (Thread caller : callers) {
            caller.join();
        }
        channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
        return Math.max(max, aim.rssKib());
    }

    private static Reads readsUnderSlowActions(AimProcess aim, List<String> names, int seconds) throws Exception {
        ManagedChannel channel = aim.channel();
        AtomicBoolean running = new AtomicBoolean(true);
        List<Thread> threads = new ArrayList<>();
        AtomicLong cycles = new AtomicLong();
        for (int i = 1; i <= 4; i++) {
            DomainRef cycled = DomainRef.newBuilder().setName(names.get(i)).build();
            Thread cycler = new Thread(() -> {
                var stub = LibvirtServiceGrpc.newBlockingStub(channel);
                while (running.get()) {
                    stub.powerOffDomain(PowerOffDomainRequest.newBuilder().setDomain(cycled).build());
                    stub.powerOnDomain(PowerOnDomainRequest.newBuilder().setDomain(cycled).build());
                    cycles.incrementAndGet();
                }
            });
            cycler.start();
            threads.add(cycler);
        }
        DomainRef read = DomainRef.newBuilder().setName(names.get(0)).build();
        ConcurrentLinkedQueue<long[]> latencies = new ConcurrentLinkedQueue<>();
        CountDownLatch readers = new CountDownLatch(200);
        long start = System.nanoTime();
        for (int i = 0; i < 200; i++) {
            Thread reader = new Thread(() -> {
                var stub = LibvirtServiceGrpc.newBlockingStub(channel);
                long[] own = new long[1 << 16];
                int count = 0;
                while (running.get() && count < own.length) {
                    long before = System.nanoTime();
                    stub.getDomainState(GetDomainStateRequest.newBuilder().setDomain(read).build());
                    own[count++] = System.nanoTime() - before;
                }
                latencies.add(Arrays.copyOf(own, count));
                readers.countDown();
            });
            reader.start();
            threads.add(reader);
        }
        Thread.sleep(TimeUnit.SECONDS.toMillis(seconds)); // the measured period
        running.set(false);
        readers.await();
        double elapsed = (System.nanoTime() - start) / 1e9;
        for (Thread thread : threads) {
            thread.join();
        }
        channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
        long[] all = latencies.stream().flatMapToLong(Arrays::stream).sorted().toArray();
        return new Reads(all, elapsed, cycles.get());
    }

    private static int option(String[] args, String name, int fallback) {
        for (int i = 3; i < args.length - 1; i++) {
            if (args[i].equals(name)) {
                return Integer.parseInt(args[i + 1]);
            }
        }
        return fallback;
    }

    private static final class Variant {
        final String name;
        final Path dist;
        final List<Long> startMillis = new ArrayList<>();
        long idleKib;
        long loadMaxKib;
        long afterKib;
        Reads reads;

        Variant(String name, Path dist) {
            this.name = name;
            this.dist = dist;
        }
    }

    private record Reads(long[] sortedNanos, double seconds, long powerCycles) {
        @Override
        public String toString() {
            return String.format("p50 %.2f ms, p99 %.2f ms, max %.1f ms, %.0f reads/s, %d power cycles",
                    Stats.percentile(sortedNanos, 50) / 1e6, Stats.percentile(sortedNanos, 99) / 1e6,
                    sortedNanos.length == 0 ? 0 : sortedNanos[sortedNanos.length - 1] / 1e6,
                    sortedNanos.length / seconds, powerCycles);
        }
    }
}
