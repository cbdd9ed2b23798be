package com.abiquo.aim.server.bench;

import com.abiquo.aim.core.config.AimSettings;
import com.abiquo.aim.core.config.AimSettingsReader;
import com.abiquo.aim.core.module.AimModule;
import com.abiquo.aim.server.AimServer;
import com.abiquo.aim.server.BuildInfo;
import com.abiquo.aim.server.ServerSettings;
import com.abiquo.aim.testing.Waits;
import com.abiquo.aim.v1.DefineDomainRequest;
import com.abiquo.aim.v1.DomainRef;
import com.abiquo.aim.v1.GetAgentInfoRequest;
import com.abiquo.aim.v1.LibvirtServiceGrpc;
import com.abiquo.aim.v1.NodeServiceGrpc;
import com.abiquo.aim.v1.PowerOnDomainRequest;
import io.grpc.Grpc;
import io.grpc.InsecureChannelCredentials;
import io.grpc.ManagedChannel;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.ServiceLoader;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.apache.logging.log4j.Level;
import org.apache.logging.log4j.core.config.Configurator;

/**
 * scripts/bench-metrics: what /metrics costs. (1) A scrape of a whole AIM with 200 running domains on libvirt's
 * test driver: time and size, target under 50 ms. (2) Unary calls per second through the real Netty transport
 * with grpc-java's per-call metrics ([metrics] grpcCalls = true) and without them, in the same run, alternating
 * rounds so that drift of a shared machine hits both: target with >= 0.9 x without.
 */
public final class MetricsBench {
    private MetricsBench() {
    }

    public static void main(String[] args) throws Exception {
        int domains = args.length > 0 ? Integer.parseInt(args[0]) : 200;
        int seconds = args.length > 1 ? Integer.parseInt(args[1]) : 5;
        int clients = args.length > 2 ? Integer.parseInt(args[2]) : 8;
        Configurator.setRootLevel(Level.WARN); // the figures, not the servers' start-up lines
        Path folder = Files.createTempDirectory("aim-bench-metrics-");
        AimServer measured = start(folder.resolve("with"), true);
        AimServer bare = start(folder.resolve("without"), false);
        try {
            System.out.printf("load average before: %s (2 cores here are shared: a loaded machine stretches the"
                    + " tail of every figure)%n", Files.readString(Path.of("/proc/loadavg")).strip());
            scrape(measured, domains);
            calls(measured, bare, seconds, clients);
        } finally {
            measured.stop();
            bare.stop();
            new ProcessBuilder("rm", "-rf", folder.toString()).start().waitFor();
        }
        System.exit(0);
    }

    private static AimServer start(Path folder, boolean grpcCalls) throws Exception {
        Files.createDirectories(folder.resolve("repository"));
        Files.writeString(folder.resolve("repository/.abiquo_repository"), "");
        Files.createDirectories(folder.resolve("datastore"));
        Files.createDirectories(folder.resolve("network-scripts"));
        Files.writeString(folder.resolve("initiatorname.iscsi"), "InitiatorName=iqn.2026-12.bench.aim:metrics\n");
        Path file = folder.resolve("aim.ini");
        Files.writeString(file, """
                [server]
                address = 127.0.0.1
                port = 0
                [metrics]
                port = 0
                grpcCalls = %s
                [monitor]
                uri = test:///default
                [stats]
                collectFreqSeconds = 1
                [rimp]
                repository = repository
                datastores = datastore
                [vlan]
                namespace = aim-bench-absent
                networkScripts = network-scripts
                restoreOnStart = false
                [storage]
                initiatorNameFile = initiatorname.iscsi
                """.formatted(grpcCalls));
        AimSettings settings = AimSettingsReader.read(file);
        List<AimModule> modules = new ArrayList<>();
        ServiceLoader.load(AimModule.class).forEach(modules::add);
        modules.sort((a, b) -> Integer.compare(a.startOrder(), b.startOrder()));
        AimServer server = new AimServer(ServerSettings.from(settings, folder), settings, folder, modules, 4,
                new BuildInfo("bench", "bench"));
        server.start();
        return server;
    }

    private static void scrape(AimServer server, int domains) throws Exception {
        ManagedChannel channel = channel(server);
        var libvirt = LibvirtServiceGrpc.newBlockingStub(channel);
        // test:///default has one running domain ("test"); define and start the rest
        for (int i = 1; i < domains; i++) {
            String name = "bench-" + i;
            libvirt.defineDomain(DefineDomainRequest.newBuilder().setXml("<domain type='test'><name>" + name
                    + "</name><memory unit='MiB'>64</memory><vcpu>1</vcpu><os><type>hvm</type></os><devices>"
                    + "<disk type='file' device='disk'><source file='/bench/" + name + ".img'/>"
                    + "<target dev='vda' bus='virtio'/></disk>"
                    + "<interface type='network'><source network='default'/><target dev='vnet" + i + "'/>"
                    + "</interface></devices></domain>").build());
            libvirt.powerOnDomain(PowerOnDomainRequest.newBuilder()
                    .setDomain(DomainRef.newBuilder().setName(name)).build());
        }
        channel.shutdownNow();
        int port = server.metricsPort().orElseThrow();
        HttpClient http = HttpClient.newHttpClient();
        HttpRequest request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/metrics"))
                .header("Accept", "text/plain;version=0.0.4").build();
        String body = Waits.awaitValue("the collector's round with all " + domains + " domains",
                java.time.Duration.ofSeconds(60), java.time.Duration.ofMillis(200),
                () -> http.send(request, HttpResponse.BodyHandlers.ofString()).body(),
                scrape -> countDomains(scrape) >= domains, () -> "");
        Timing full = time(http, request);
        System.out.printf("scrape, %d running domains on test:///default (%d series lines, %d bytes):%n",
                countDomains(body), body.lines().filter(line -> !line.startsWith("#")).count(), full.bytes());
        System.out.printf("  median %.1f ms, p95 %.1f ms, max %.1f ms over %d scrapes (target: under 50 ms) %s%n",
                full.median(), full.p95(), full.max(), SCRAPES, full.p95() < 50 ? "MET" : "MISSED at p95");
    }

    private static final int SCRAPES = 200;

    private record Timing(double median, double p95, double max, long bytes) {
    }

    private static Timing time(HttpClient http, HttpRequest request) throws Exception {
        for (int i = 0; i < 50; i++) { // warm-up
            http.send(request, HttpResponse.BodyHandlers.ofByteArray());
        }
        double[] millis = new double[SCRAPES];
        long bytes = 0;
        for (int i = 0; i < SCRAPES; i++) {
            long start = System.nanoTime();
            bytes = http.send(request, HttpResponse.BodyHandlers.ofByteArray()).body().length;
            millis[i] = (System.nanoTime() - start) / 1e6;
        }
        Arrays.sort(millis);
        return new Timing(millis[SCRAPES / 2], millis[SCRAPES * 95 / 100], millis[SCRAPES - 1], bytes);
    }

    private static long countDomains(String scrape) {
        return scrape.lines().filter(line -> line.startsWith("libvirt_domain_info_cpu_time_seconds_total{")).count();
    }

    private static void calls(AimServer with, AimServer without, int seconds, int clients) throws Exception {
        ManagedChannel withChannel = channel(with);
        ManagedChannel withoutChannel = channel(without);
        run(withChannel, 2, clients); // warm-up, both
        run(withoutChannel, 2, clients);
        double withTotal = 0;
        double withoutTotal = 0;
        int rounds = 3;
        for (int round = 0; round < rounds; round++) {
            withoutTotal += run(withoutChannel, seconds, clients);
            withTotal += run(withChannel, seconds, clients);
        }
        double withRate = withTotal / rounds;
        double withoutRate = withoutTotal / rounds;
        System.out.printf("unary NodeService/GetAgentInfo over Netty on loopback, %d clients, %d x %d s each:%n",
                clients, rounds, seconds);
        System.out.printf("  without gRPC metrics %.0f calls/s, with %.0f calls/s: %.3f x (target: >= 0.9 x) %s%n",
                withoutRate, withRate, withRate / withoutRate, withRate / withoutRate >= 0.9 ? "MET" : "MISSED");
        withChannel.shutdownNow();
        withoutChannel.shutdownNow();
    }

    /** Calls per second of {@code clients} threads calling as fast as they can for {@code seconds}. */
    private static double run(ManagedChannel channel, int seconds, int clients) throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(clients);
        AtomicBoolean stop = new AtomicBoolean();
        List<Future<Long>> counts = new ArrayList<>();
        var stub = NodeServiceGrpc.newBlockingStub(channel);
        GetAgentInfoRequest request = GetAgentInfoRequest.getDefaultInstance();
        long start = System.nanoTime();
        for (int i = 0; i < clients; i++) {
            counts.add(pool.submit(() -> {
                long done = 0;
                while (!stop.get()) {
                    stub.getAgentInfo(request);
                    done++;
                }
                return done;
            }));
        }
        TimeUnit.SECONDS.sleep(seconds); // not a wait: the measuring window, the callers run meanwhile
        stop.set(true);
        long total = 0;
        for (Future<Long> count : counts) {
            total += count.get();
        }
        double elapsed = (System.nanoTime() - start) / 1e9;
        pool.shutdown();
        return total / elapsed;
    }

    private static ManagedChannel channel(AimServer server) {
        return Grpc.newChannelBuilderForAddress("127.0.0.1", server.port(), InsecureChannelCredentials.create())
                .build();
    }
}
