package com.abiquo.aim.server.metrics;

import static java.util.Objects.requireNonNull;

import com.abiquo.aim.core.config.ConfigException;
import com.abiquo.aim.core.metrics.NodeMetrics;
import io.grpc.ServerBuilder;
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
 * and grpc-java's own server metrics (gRFC A66, {@link GrpcCallMetrics}). {@link #startEndpoint} serves it all at
 * {@code /metrics}. The JVM's families and grpc-java's are added only when /metrics is on: nobody could read them
 * otherwise, and a node without it then never loads the OpenTelemetry SDK nor the JVM collectors (their classes
 * cost resident memory on every hypervisor: docs/metrics.md).
 */
public final class ServerMetrics implements AutoCloseable {
    private static final Logger LOG = LogManager.getLogger(ServerMetrics.class);

    private final PrometheusRegistry registry = new PrometheusRegistry();
    private final NodeMetrics nodeMetrics = new NodeMetrics(registry);
    private final MetricsSettings settings;
    private GrpcCallMetrics grpcCalls;
    private MetricsEndpoint endpoint;

    public ServerMetrics(String version, String gitRevision, MetricsSettings settings) {
        this.settings = requireNonNull(settings, "settings is null");
        Info build = Info.builder().name("aim_build_info").help("The running AIM: version and git revision")
                .labelNames("version", "revision").build();
        build.setLabelValues(version, gitRevision);
        registry.register(build);
    }

    /** What modules register their families in. */
    public NodeMetrics nodeMetrics() {
        return nodeMetrics;
    }

    /**
     * Adds grpc-java's server metrics (calls started, call duration by method and status) to the server when
     * /metrics is on and [metrics] grpcCalls is true; otherwise the server gets no per-call instrumentation at all.
     */
    public void instrument(ServerBuilder<?> server) {
        if (settings.enabled() && settings.grpcCalls() && grpcCalls == null) {
            grpcCalls = new GrpcCallMetrics(registry);
            grpcCalls.instrument(server);
        }
    }

    /** Starts /metrics when [metrics] port is set; HTTPS with the server's certificate when [metrics] tls is. */
    public void startEndpoint(Optional<MetricsEndpoint.Certificate> serverCertificate)
            throws ConfigException, IOException {
        if (!settings.enabled()) {
            return;
        }
        if (settings.tls() && serverCertificate.isEmpty()) {
            throw new ConfigException("[metrics] tls = true needs [server] tlsCertificate and tlsKey");
        }
        JvmMetrics.builder().register(registry);
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
        if (grpcCalls != null) {
            grpcCalls.close();
            grpcCalls = null;
        }
    }
}
