package com.abiquo.aim.core.metrics;

import io.prometheus.metrics.model.registry.PrometheusRegistry;

/**
 * A module's metric families (its counters, gauges and collectors), registered together in the node's registry
 * through {@link NodeMetrics#add}. Each module keeps its families in one small class that implements this (for
 * example the event bus: published sequence, lag, errors), so its hooks are single lines such as
 * {@code metrics.copied(outcome)}.
 */
public interface MetricFamilies {
    void registerIn(PrometheusRegistry registry);
}
