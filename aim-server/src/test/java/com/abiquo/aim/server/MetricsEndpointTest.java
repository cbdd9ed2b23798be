package com.abiquo.aim.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.abiquo.aim.core.config.AimSettings;
import com.abiquo.aim.core.config.AimSettingsReader;
import com.abiquo.aim.v1.DefineDomainRequest;
import com.abiquo.aim.v1.DomainRef;
import com.abiquo.aim.v1.GetAgentInfoRequest;
import com.abiquo.aim.v1.GetDomainStateRequest;
import com.abiquo.aim.v1.LibvirtServiceGrpc;
import com.abiquo.aim.v1.NodeServiceGrpc;
import com.abiquo.aim.v1.PowerOffDomainRequest;
import com.abiquo.aim.v1.PowerOnDomainRequest;
import io.grpc.Grpc;
import io.grpc.InsecureChannelCredentials;
import io.grpc.ManagedChannel;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * /metrics of the whole server on libvirt's test driver, read over real HTTP and checked with the real promtool:
 * AIM's own families, the JVM's, grpc-java's per-call metrics and the domains of the collector.
 */
class MetricsEndpointTest {
    /** Turns the endpoint on (any free port) and makes the collector read every second. */
    static final String METRICS_ON = "\n[metrics]\nport = 0\n\n[stats]\ncollectFreqSeconds = 1\n";
    /**
     * An event bus whose Redis never answers (nothing listens on loopback port 1): its families are in the scrape
     * (they exist only where a bus is configured), its errors and lag grow. aim-eventbus's EventBusMetricsSystemTest
     * checks them against a real redis-server.
     */
    static final String BUS_UNREACHABLE = "\n[eventbus]\nurl = redis://127.0.0.1:1\n";

    private static final String WITH_NIC = "metrics-nic";
    private static final Path DASHBOARD = Tools.projectRoot().resolve("dist/src/grafana/aim-node.json");

    private static Path folder;
    private static AimServer server;
    private static ManagedChannel channel;

    @BeforeAll
    static void start() throws Exception {
        folder = Files.createTempDirectory("aimsrv-metrics-");
        Path file = SafeConfig.write(folder, METRICS_ON + BUS_UNREACHABLE);
        AimSettings settings = AimSettingsReader.read(file);
        server = new AimServer(ServerSettings.from(settings, folder), settings, folder, ModuleLoader.load(), 4,
                new BuildInfo("9.8.7-test", "abc123"));
        server.start();
        channel = Grpc.newChannelBuilderForAddress("127.0.0.1", server.port(), InsecureChannelCredentials.create())
                .build();
        // a second running domain, with an interface (test:///default's own "test" has none)
        LibvirtServiceGrpc.LibvirtServiceBlockingStub libvirt = LibvirtServiceGrpc.newBlockingStub(channel);
        libvirt.defineDomain(DefineDomainRequest.newBuilder().setXml("<domain type='test'><name>" + WITH_NIC
                + "</name><memory unit='MiB'>64</memory><vcpu>1</vcpu><os><type>hvm</type></os><devices>"
                + "<disk type='file' device='disk'><source file='/metrics-nic.img'/><target dev='vda' bus='virtio'/>"
                + "</disk><interface type='network'><source network='default'/></interface></devices></domain>")
                .build());
        libvirt.powerOnDomain(PowerOnDomainRequest.newBuilder().setDomain(DomainRef.newBuilder().setName(WITH_NIC))
                .build());
    }

    @AfterAll
    static void stop() throws Exception {
        if (channel != null) {
            channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
        }
        if (server != null) {
            server.stop();
        }
        if (folder != null) {
            Tools.run(Path.of("/"), List.of("rm", "-rf", folder.toString()));
        }
    }

    private static int port() {
        return server.metricsPort().orElseThrow();
    }

    @Test
    void scrapePassesPromtoolWithEveryFamily() throws Exception {
        NodeServiceGrpc.newBlockingStub(channel).getAgentInfo(GetAgentInfoRequest.getDefaultInstance());
        StatusRuntimeException missing = assertThrows(StatusRuntimeException.class, () -> LibvirtServiceGrpc
                .newBlockingStub(channel).getDomainState(GetDomainStateRequest.newBuilder()
                        .setDomain(DomainRef.newBuilder().setName("no-such-domain")).build()));
        assertEquals(Status.Code.NOT_FOUND, missing.getStatus().getCode());

        String scrape = Scrapes.until(port(), text -> text.contains("libvirt_domain_info_cpu_time_seconds_total{")
                && text.contains("grpc_status=\"NOT_FOUND\"") && text.matches("(?s).*aim_eventbus_errors_total\\{"
                + "kind=\"connect\",publisher=\"stream\"} [1-9].*"), Duration.ofSeconds(30),
                "the test domain's CPU time, the failed call and the unreachable bus's connection errors");

        Tools.Result lint = Scrapes.promtoolCheck(scrape, folder);
        assertEquals(0, lint.exitCode(), "promtool check metrics:\n" + lint.output());
        assertEquals("", lint.output().strip(), "promtool check metrics found problems");

        assertTrue(scrape.contains("aim_build_info{revision=\"abc123\",version=\"9.8.7-test\"} 1"), scrape);
        assertTrue(scrape.contains("aim_libvirt_connected 1"), "connected to test:///default");
        assertTrue(scrape.contains("libvirt_up 1"), "the libvirt exporters' name for the same");
        assertTrue(scrape.contains("aim_event_subscribers 0"));
        assertTrue(scrape.contains("grpc_server_call_duration_seconds_count{grpc_method="
                + "\"abiquo.aim.v1.LibvirtService/GetDomainState\",grpc_status=\"NOT_FOUND\"} 1"), scrape);
        assertTrue(scrape.contains("grpc_server_call_started_total{grpc_method="
                + "\"abiquo.aim.v1.NodeService/GetAgentInfo\"}"), scrape);
        // test:///default's one running domain "test", under the libvirt exporters' names and labels
        assertTrue(scrape.matches("(?s).*libvirt_domain_info_cpu_time_seconds_total\\{domain=\"test\",uuid=\""
                + "[0-9a-f-]{36}\"} [0-9.eE+]+\n.*"), scrape);
        assertTrue(scrape.matches("(?s).*libvirt_domain_block_stats_read_bytes_total\\{domain=\"test\","
                + "target_device=\"[a-z]+\",uuid=\"[0-9a-f-]{36}\"}.*"), scrape);
        Set<String> names = Scrapes.sampleNames(scrape);
        for (String expected : List.of("aim_libvirt_reconnections_total", "aim_events_last_sequence",
                "aim_events_journal_oldest_sequence", "aim_events_journal_events", "aim_rimp_copies_running",
                "aim_rimp_copy_duration_seconds_bucket", "aim_rimp_copies_failed_total",
                "libvirt_domain_info_memory_usage_bytes", "libvirt_domain_info_virtual_cpus",
                "jvm_memory_used_bytes", "jvm_threads_current", "jvm_gc_collection_seconds_count",
                "aim_eventbus_published_sequence", "aim_eventbus_lag_events", "aim_eventbus_errors_total")) {
            assertTrue(names.contains(expected), expected + " missing from " + names);
        }
    }

    /** The shipped Grafana dashboard queries only what AIM really exports. */
    @Test
    void dashboardQueriesUseOnlyScrapedNames() throws Exception {
        assertThrows(StatusRuntimeException.class, () -> LibvirtServiceGrpc.newBlockingStub(channel).getDomainState(
                GetDomainStateRequest.newBuilder().setDomain(DomainRef.newBuilder().setName("absent")).build()));
        String scrape = Scrapes.until(port(),
                text -> text.contains("libvirt_domain_interface_stats_receive_bytes_total{")
                        && text.contains("grpc_status=\"NOT_FOUND\""),
                Duration.ofSeconds(30), "interface stats and a failed call");
        Set<String> scraped = Scrapes.sampleNames(scrape);
        Set<String> queried = DashboardQueries.metricNames(Files.readString(DASHBOARD));
        assertTrue(queried.size() >= 20, "the dashboard's queries name " + queried);
        Set<String> unknown = new java.util.TreeSet<>(queried);
        unknown.removeAll(scraped);
        assertEquals(Set.of(), unknown, "dashboard metrics that no scrape has");
    }

    @Test
    void openMetricsWhenAskedFor() throws Exception {
        HttpResponse<String> response = Scrapes.get(port(),
                "application/openmetrics-text;version=1.0.0;q=0.5,text/plain;version=0.0.4;q=0.4");
        assertEquals(200, response.statusCode());
        assertTrue(response.headers().firstValue("Content-Type").orElse("").startsWith("application/openmetrics-text"),
                response.headers().toString());
        assertTrue(response.body().endsWith("# EOF\n"), "an OpenMetrics exposition ends with # EOF");
    }

    @Test
    void aStoppedDomainLeavesTheScrapeAndItsEventsAreCounted() throws Exception {
        LibvirtServiceGrpc.LibvirtServiceBlockingStub libvirt = LibvirtServiceGrpc.newBlockingStub(channel);
        DomainRef test = DomainRef.newBuilder().setName("test").build();
        libvirt.powerOffDomain(PowerOffDomainRequest.newBuilder().setDomain(test).build());
        try {
            String scrape = Scrapes.until(port(), text -> !text.contains("domain=\"test\"")
                    && text.matches("(?s).*aim_events_total\\{kind=\"POWERED_OFF\"} [1-9].*"),
                    Duration.ofSeconds(30), "no series of the stopped domain, and its POWERED_OFF counted");
            assertTrue(scrape.contains("domain=\"" + WITH_NIC + "\""), "the other domain still running");
        } finally {
            libvirt.powerOnDomain(PowerOnDomainRequest.newBuilder().setDomain(test).build());
        }
    }
}
