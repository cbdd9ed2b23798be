package com.abiquo.aim.server.metrics;

import io.grpc.ServerBuilder;
import io.grpc.opentelemetry.GrpcOpenTelemetry;
import io.opentelemetry.exporter.prometheus.PrometheusMetricReader;
import io.opentelemetry.sdk.OpenTelemetrySdk;
import io.opentelemetry.sdk.metrics.SdkMeterProvider;
import io.prometheus.metrics.model.registry.PrometheusRegistry;

/**
 * grpc-java's own server metrics (gRFC A66): OpenTelemetry records them and its Prometheus reader hands them to the
 * node's registry as one more collector. A class of its own so that the OpenTelemetry SDK (some 300 classes) is
 * loaded only on a node whose /metrics is on.
 */
final class GrpcCallMetrics implements AutoCloseable {
    private final OpenTelemetrySdk openTelemetry;

    GrpcCallMetrics(PrometheusRegistry registry) {
        // no otel_scope_* labels and no target_info: the scrape target already says which node this is
        PrometheusMetricReader reader = PrometheusMetricReader.builder().setOtelScopeLabelsEnabled(false)
                .setTargetInfoMetricEnabled(false).build();
        registry.register(reader);
        openTelemetry = OpenTelemetrySdk.builder()
                .setMeterProvider(SdkMeterProvider.builder().registerMetricReader(reader).build()).build();
    }

    /** Adds the per-call metrics (calls started, call duration by method and status) to the server. */
    void instrument(ServerBuilder<?> server) {
        GrpcOpenTelemetry.newBuilder().sdk(openTelemetry).build().configureServerBuilder(server);
    }

    @Override
    public void close() {
        openTelemetry.close();
    }
}
