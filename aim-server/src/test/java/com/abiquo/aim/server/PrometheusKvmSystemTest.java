package com.abiquo.aim.server;


import com.abiquo.aim.core.config.AimSettings;
import com.abiquo.aim.core.config.AimSettingsReader;
import com.abiquo.aim.testing.Waits;
import com.abiquo.aim.v1.DefineDomainRequest;
import com.abiquo.aim.v1.DomainRef;
import com.abiquo.aim.v1.LibvirtServiceGrpc;
import com.abiquo.aim.v1.PauseDomainRequest;
import com.abiquo.aim.v1.PowerOffDomainRequest;
import com.abiquo.aim.v1.PowerOnDomainRequest;
import com.abiquo.aim.v1.ResumeDomainRequest;
import com.abiquo.aim.v1.UndefineDomainRequest;
import io.grpc.Grpc;
import io.grpc.InsecureChannelCredentials;
import io.grpc.ManagedChannel;
import io.grpc.StatusRuntimeException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * The proof with real parts: AIM on the system libvirtd (qemu:///system, real KVM; TCG without /dev/kvm)
 * with /metrics on, a private Prometheus server scraping it every second, a churn of domain operations through
 * AIM's gRPC API, and PromQL through Prometheus' HTTP API: the events counter increases, and so does the running
 * domain's CPU counter.
 */
@Tag("system")
class PrometheusKvmSystemTest {
    private static final Duration WAIT = Duration.ofSeconds(90);

    @Test
    void prometheusSeesEventsAndDomainCpuIncrease() throws Exception {
        Path folder = Files.createTempDirectory("aimsrv-prometheus-");
        String name = "aimmetrics-" + ProcessHandle.current().pid() + "-" + System.nanoTime() % 100_000;
        Path file = SafeConfig.write(folder, MetricsEndpointTest.METRICS_ON);
        Files.writeString(file, Files.readString(file).replace("uri = test:///default", "uri = qemu:///system"));
        AimSettings settings = AimSettingsReader.read(file);
        AimServer server = new AimServer(ServerSettings.from(settings, folder), settings, folder,
                ModuleLoader.load(), 4, BuildInfo.load());
        server.start();
        ManagedChannel channel = Grpc.newChannelBuilderForAddress("127.0.0.1", server.port(),
                InsecureChannelCredentials.create()).build();
        LibvirtServiceGrpc.LibvirtServiceBlockingStub libvirt = LibvirtServiceGrpc.newBlockingStub(channel)
                .withDeadlineAfter(5, TimeUnit.MINUTES);
        DomainRef domain = DomainRef.newBuilder().setName(name).build();
        try (PrivatePrometheus prometheus = PrivatePrometheus.scraping(server.metricsPort().orElseThrow(),
                folder.resolve("prometheus"))) {
            // a baseline sample of the counter in Prometheus before the churn
            awaitQuery(prometheus, "sum(aim_events_total) >= 0", "a first scrape of aim_events_total");

            libvirt.defineDomain(DefineDomainRequest.newBuilder().setXml(kvmXml(name)).build());
            libvirt.powerOnDomain(PowerOnDomainRequest.newBuilder().setDomain(domain).build());
            libvirt.pauseDomain(PauseDomainRequest.newBuilder().setDomain(domain).build());
            libvirt.resumeDomain(ResumeDomainRequest.newBuilder().setDomain(domain).build());
            libvirt.powerOffDomain(PowerOffDomainRequest.newBuilder().setDomain(domain).build());
            libvirt.powerOnDomain(PowerOnDomainRequest.newBuilder().setDomain(domain).build());

            awaitQuery(prometheus, "increase(aim_events_total{kind=\"POWERED_ON\"}[5m]) > 0",
                    "aim_events_total increasing");
            // SeaBIOS of a diskless guest keeps its vCPU busy: the CPU counter grows between two collector rounds
            awaitQuery(prometheus, "rate(libvirt_domain_info_cpu_time_seconds_total{domain=\"" + name
                    + "\"}[30s]) > 0", "the domain's CPU counter increasing");
            awaitQuery(prometheus, "aim_libvirt_connected == 1", "the libvirt connection up");
        } finally {
            quietly(() -> libvirt.powerOffDomain(PowerOffDomainRequest.newBuilder().setDomain(domain).build()));
            quietly(() -> libvirt.undefineDomain(UndefineDomainRequest.newBuilder().setDomain(domain).build()));
            channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
            server.stop();
            Tools.run(Path.of("/"), List.of("rm", "-rf", folder.toString()));
        }
    }

    private static void awaitQuery(PrivatePrometheus prometheus, String promQl, String what) {
        // Prometheus scrapes every second: polling it faster than twice a second only loads the machine
        Waits.awaitValue("Prometheus to show " + what + " (" + promQl + ")", WAIT, Duration.ofMillis(500),
                () -> prometheus.query(promQl), PrivatePrometheus::hasResult,
                () -> "prometheus log:\n" + prometheus.log());
    }

    private static String kvmXml(String name) {
        String type = Files.exists(Path.of("/dev/kvm")) ? "kvm" : "qemu";
        return "<domain type='" + type + "'><name>" + name + "</name><memory unit='MiB'>64</memory><vcpu>1</vcpu>"
                + "<os><type arch='x86_64' machine='pc'>hvm</type></os><devices><serial type='pty'/></devices>"
                + "</domain>";
    }

    private static void quietly(Runnable cleanUp) {
        try {
            cleanUp.run();
        } catch (StatusRuntimeException alreadyGone) {
            // the test removed it, or it never got that far
        }
    }
}
