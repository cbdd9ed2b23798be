package com.abiquo.aim.rimp.copy;

import com.abiquo.aim.core.metrics.MetricFamilies;
import io.prometheus.metrics.core.metrics.Counter;
import io.prometheus.metrics.core.metrics.Gauge;
import io.prometheus.metrics.core.metrics.Histogram;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import io.prometheus.metrics.model.snapshots.Unit;

/**
 * Image copies for Prometheus: how many run, the bytes they made available by method (a copy crawling at 5 MB/s
 * shows as a flat rate), and how long they took. A clone or a rename moves no data itself; it counts the image's
 * data bytes under its method, so that {@code rate()} per method says how the repository's bytes reach the node.
 */
public final class CopyMetrics implements MetricFamilies {
    private final Gauge running = Gauge.builder()
            .name("aim_rimp_copies_running")
            .help("Image copies in progress")
            .build();
    private final Counter bytes = Counter.builder()
            .name("aim_rimp_copied_bytes")
            .help("Data bytes of finished image copies, by method (reflink, sparse, copy, rename, kept)")
            .labelNames("method")
            .unit(Unit.BYTES)
            .build();
    private final Counter failures = Counter.builder()
            .name("aim_rimp_copies_failed")
            .help("Image copies that failed or were cancelled")
            .build();
    private final Histogram duration = Histogram.builder()
            .name("aim_rimp_copy_duration_seconds")
            .help("Duration of finished image copies")
            .unit(Unit.SECONDS)
            .classicOnly()
            // from a clone (milliseconds) to a 100 GB image over a slow NFS repository (an hour)
            .classicUpperBounds(0.01, 0.1, 0.5, 1, 5, 15, 30, 60, 120, 300, 600, 1200, 3600)
            .build();

    public CopyMetrics() {
        // the copying methods are there at 0 from the start, so rate() and alerts see them before the first copy
        bytes.labelValues(label(CopyMethod.REFLINK));
        bytes.labelValues(label(CopyMethod.SPARSE_COPY));
        bytes.labelValues(label(CopyMethod.SENDFILE_COPY));
    }

    @Override
    public void registerIn(PrometheusRegistry registry) {
        registry.register(running);
        registry.register(bytes);
        registry.register(failures);
        registry.register(duration);
    }

    void started() {
        running.inc();
    }

    void finished(CopyOutcome outcome) {
        running.dec();
        // a clone copies nothing itself: it counts the data it made available, as a copy counts what it moved
        long data = outcome.method() == CopyMethod.REFLINK ? outcome.allocatedBytes() : outcome.copiedBytes();
        bytes.labelValues(label(outcome.method())).inc(data);
        duration.observe(outcome.duration().toNanos() / 1e9);
    }

    void failed() {
        running.dec();
        failures.inc();
    }

    /** The names: reflink, sparse (copy_file_range of the data extents), copy (sendfile). */
    static String label(CopyMethod method) {
        return switch (method) {
            case REFLINK -> "reflink";
            case SPARSE_COPY -> "sparse";
            case SENDFILE_COPY -> "copy";
            case RENAMED -> "rename";
            case KEPT_EXISTING -> "kept";
        };
    }

    @Override
    public String toString() {
        return "CopyMetrics[" + running.get() + " running]";
    }
}
