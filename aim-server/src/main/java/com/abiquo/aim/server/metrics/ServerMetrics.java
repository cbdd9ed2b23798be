package com.abiquo.aim.server.metrics;

import com.abiquo.aim.core.config.ConfigException;
import com.abiquo.aim.core.metrics.NodeMetrics;
import io.grpc.ServerBuilder;
import io.grpc.opentelemetry.GrpcOpenTelemetry;
import io.opentelemetry.exporter.prometheus.PrometheusMetricReader;
import io.opentelemetry.sdk.OpenTelemetrySdk;
import io.opentelemetry.sdk.metrics.SdkMeterProvider;
import io.prometheus.metrics.core.metrics.Info;
import io.prometheus.metrics.instrumentation.jvm.JvmMetrics;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import java.io.IOException;
import java.util.Optional;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.Logger;

/**
 * The node's metrics as the server assembles them: one Prometheus registry (published to modules as
 * {@link NodeMetrics}) holding {@code aim_build_info}, the JVM's memory, GC and threads, every module's families,
 * and grpc-java's own server metrics (gRFC A66), which OpenTelemetry records and its Prometheus reader hands to the
 * same registry as one more collector. {@link #startEndpoint} serves it all at {@code /metrics}.
 */
public final class ServerMetrics implements AutoCloseable {
    private static final Logger LOG = LogManager.getLogger(ServerMetrics.class);

    private final PrometheusRegistry registry = new PrometheusRegistry();
    private final NodeMetrics nodeMetrics = new NodeMetrics(registry);
    private final OpenTelemetrySdk openTelemetry;
    private MetricsEndpoint endpoint;

    public ServerMetrics(String version, String gitRevision) {
        Info build = Info.builder().name("aim_build_info").help("The running AIM: version and git revision")
                .labelNames("version", "revision").build();
        build.setLabelValues(version, gitRevision);
        registry.register(build);
        JvmMetrics.builder().register(registry);
        // no otel_scope_* labels and no target_info: the scrape target already says which node this is
        PrometheusMetricReader reader = PrometheusMetricReader.builder().setOtelScopeLabelsEnabled(false)
                .setTargetInfoMetricEnabled(false).build();
        registry.register(reader);
        openTelemetry = OpenTelemetrySdk.builder()
                .setMeterProvider(SdkMeterProvider.builder().registerMetricReader(reader).build()).build();
    }

    /** What modules register their families in. */
    public NodeMetrics nodeMetrics() {
        return nodeMetrics;
    }

    /** Adds grpc-java's server metrics (calls started, call duration by method and status) to the server. */
    public void instrument(ServerBuilder<?> server) {
        GrpcOpenTelemetry.newBuilder().sdk(openTelemetry).build().configureServerBuilder(server);
    }

    /** Starts /metrics when [metrics] port is set; HTTPS with the server's certificate when [metrics] tls is. */
    public void startEndpoint(MetricsSettings settings, Optional<MetricsEndpoint.Certificate> serverCertificate)
            throws ConfigException, IOException {
        if (!settings.enabled()) {
            return;
        }
        if (settings.tls() && serverCertificate.isEmpty()) {
            throw new ConfigException("[metrics] tls = true needs [server] tlsCertificate and tlsKey");
        }
        endpoint = MetricsEndpoint.start(settings.address(), settings.port().getAsInt(), registry,
                settings.tls() ? serverCertificate : Optional.empty());
        LOG.info("Prometheus metrics at {}://{}:{}/metrics", endpoint.scheme(), settings.address(), endpoint.port());
    }

    /** The bound port of /metrics (useful with port 0), or empty when it is off. */
    public Optional<Integer> endpointPort() {
        return Optional.ofNullable(endpoint).map(MetricsEndpoint::port);
    }

    public PrometheusRegistry registry() {
        return registry;
    }

    @Override
    public void close() {
        if (endpoint != null) {
            endpoint.close();
            endpoint = null;
        }
        openTelemetry.close();
    }
}
