package com.abiquo.aim.dist.bench;

import com.abiquo.aim.v1.DomainRef;
import com.abiquo.aim.v1.EventsMonitorServiceGrpc;
import com.abiquo.aim.v1.GetDomainStateRequest;
import com.abiquo.aim.v1.LibvirtServiceGrpc;
import com.abiquo.aim.v1.SubscribeRequest;
import com.abiquo.aim.v1.SubscribeResponse;
import com.abiquo.aim.dist.bench.ReadsUnderSlowActions.Reads;
import io.grpc.ManagedChannel;
import io.grpc.health.v1.HealthCheckRequest;
import io.grpc.health.v1.HealthGrpc;
import io.grpc.stub.StreamObserver;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
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
 *   <li>GetDomainState latency of 200 callers that read without pause while 4 domains cycle PowerOff/PowerOn (slow on
 *       real KVM), and the read throughput: all reading one domain, then spread over six; and the same 200 callers
 *       against a plain grpc-java server ({@link PlainUnaryPeer}) while the new AIM cycles the same domains, the
 *       floor of reads on this machine.</li>
 * </ol>
 * Usage: FootprintBench OLD_DIST NEW_DIST URI [--domains N] [--load-seconds S] [--starts N] [--slow-seconds S]
 * [--new-only 1]; --starts 0 or --slow-seconds 0 leaves that part out; --new-only 1 measures the new side alone (a
 * long --load-seconds for the RSS after load, which is a figure of its own, not a comparison).
 */
public final class FootprintBench {
    /** Domain 0 and the domains after the four that cycle power. */
    private static final List<Integer> SIX_IDLE = List.of(0, 5, 6, 7, 8, 9);

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
            List<Variant> variants = option(args, "--new-only", 0) == 1 ? List.of(new Variant("new", newDist))
                    : List.of(new Variant("old", oldDist), new Variant("new", newDist));
            Reads peer = null;
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
                    if (names.size() >= 10 && slowSeconds > 0) {
                        variant.oneDomain = reads(aim, names, List.of(names.get(0)), slowSeconds);
                        variant.sixDomains = reads(aim, names, SIX_IDLE.stream().map(names::get).toList(),
                                slowSeconds);
                    }
                    if (variant.name.equals("new") && names.size() >= 10 && slowSeconds > 0) {
                        peer = peerReads(aim, names, slowSeconds);
                    }
                }
            }
            for (Variant variant : variants) {
                if (!variant.startMillis.isEmpty()) {
                    System.out.printf("%-4s start to listening ms: %s%n", variant.name, Stats.of(variant.startMillis));
                }
                System.out.printf("%-4s RSS MiB idle %.1f | max under 100 subscribers + %d s of reads %.1f |"
                        + " after the load %.1f%n", variant.name, variant.idleKib / 1024.0, loadSeconds,
                        variant.loadMaxKib / 1024.0, variant.afterKib / 1024.0);
                if (variant.oneDomain != null) {
                    System.out.printf("%-4s GetDomainState of one domain under 4 power cycles, 200 callers: %s%n",
                            variant.name, variant.oneDomain);
                    System.out.printf("%-4s GetDomainState of six domains under 4 power cycles, 200 callers: %s%n",
                            variant.name, variant.sixDomains);
                }
            }
            if (peer != null) {
                System.out.printf("peer plain grpc-java Health/Check (nothing behind it), same 200 callers, under new's"
                        + " 4 power cycles: %s%n", peer);
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

    /** 200 callers reading {@code read} (round robin) through AIM while domains 1-4 cycle power through AIM. */
    private static Reads reads(AimProcess aim, List<String> names, List<String> read, int seconds) throws Exception {
        ManagedChannel channel = aim.channel();
        try {
            List<GetDomainStateRequest> requests = read.stream().map(name -> GetDomainStateRequest.newBuilder()
                    .setDomain(DomainRef.newBuilder().setName(name)).build()).toList();
            return ReadsUnderSlowActions.measure(channel, names.subList(1, 5), channel, (reads, caller) ->
                    LibvirtServiceGrpc.newBlockingStub(reads).getDomainState(requests.get(caller % requests.size())),
                    seconds);
        } finally {
            channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
        }
    }

    /** The same 200 callers against a plain grpc-java server of their own, while AIM cycles the same domains. */
    private static Reads peerReads(AimProcess aim, List<String> names, int seconds) throws Exception {
        ManagedChannel channel = aim.channel();
        try (PeerProcess peer = PeerProcess.start()) {
            ManagedChannel peerChannel = peer.channel();
            try {
                return ReadsUnderSlowActions.measure(channel, names.subList(1, 5), peerChannel, (reads, caller) ->
                        HealthGrpc.newBlockingStub(reads).check(HealthCheckRequest.getDefaultInstance()), seconds);
            } finally {
                peerChannel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
            }
        } finally {
            channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
        }
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
        Reads oneDomain;
        Reads sixDomains;

        Variant(String name, Path dist) {
            this.name = name;
            this.dist = dist;
        }
    }
}
