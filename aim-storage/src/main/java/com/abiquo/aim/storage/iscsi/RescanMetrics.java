package com.abiquo.aim.storage.iscsi;

import com.abiquo.aim.core.metrics.MetricFamilies;
import io.prometheus.metrics.core.metrics.Counter;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import java.util.Locale;

/**
 * iSCSI rescans for Prometheus: {@code aim_iscsi_rescans_total{outcome}}, one per target asked for (rescanned,
 * partial, failed, unknown_target); a call refused as a whole (no target known, nothing can rescan) counts its
 * targets as {@code refused}.
 */
public final class RescanMetrics implements MetricFamilies {
    private final Counter rescans = Counter.builder()
            .name("aim_iscsi_rescans")
            .help("iSCSI target rescans, by outcome (rescanned, partial, failed, unknown_target, refused)")
            .labelNames("outcome")
            .build();

    @Override
    public void registerIn(PrometheusRegistry registry) {
        registry.register(rescans);
    }

    void rescanned(TargetRescanner.Outcome outcome) {
        rescans.labelValues(outcome.name().toLowerCase(Locale.ROOT)).inc();
    }

    void refused(int targets) {
        rescans.labelValues("refused").inc(targets);
    }
}
