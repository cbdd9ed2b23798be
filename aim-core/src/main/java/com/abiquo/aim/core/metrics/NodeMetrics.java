package com.abiquo.aim.core.metrics;

import static java.util.Objects.requireNonNull;

import com.abiquo.aim.core.module.ModuleContext;
import io.prometheus.metrics.model.registry.PrometheusRegistry;

/**
 * The node's one metrics registry, which {@code /metrics} serves (docs/metrics.md). The server publishes it in the
 * {@link com.abiquo.aim.core.module.ServiceRegistry} before any module starts; a module adds its families at
 * start with {@code NodeMetrics.of(context).add(families)}.
 */
public final class NodeMetrics {
    private final PrometheusRegistry registry;

    public NodeMetrics(PrometheusRegistry registry) {
        this.registry = requireNonNull(registry, "registry is null");
    }

    /**
     * The published registry; without one (a module test that builds its own context) a private registry that
     * nobody scrapes, so that modules never need to check whether metrics are on.
     */
    public static NodeMetrics of(ModuleContext context) {
        return context.registry().lookup(NodeMetrics.class)
                .orElseGet(() -> new NodeMetrics(new PrometheusRegistry()));
    }

    public void add(MetricFamilies families) {
        families.registerIn(registry);
    }

    public PrometheusRegistry registry() {
        return registry;
    }
}
