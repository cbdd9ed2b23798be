package com.abiquo.aim.libvirt.metrics;

import static java.util.Objects.requireNonNull;

import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.Deque;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The datapoints of every domain for the retention period ([stats] retentionSeconds), in memory. One writer (the
 * collector) and many readers (GetDatapoints): each domain's series are guarded by that domain's lock.
 */
public final class MetricsStore {
    /** One reading of one counter of one device. */
    public record Sample(MetricKind kind, Map<String, String> dimensions, long value) {
        public Sample {
            dimensions = Map.copyOf(dimensions);
        }
    }

    public record Datapoint(long epochMillis, long value) {
    }

    /** The series of one counter of one device. */
    public record Measure(MetricKind kind, Map<String, String> dimensions, List<Datapoint> datapoints) {
    }

    private record SeriesKey(MetricKind kind, Map<String, String> dimensions) {
    }

    private static final class DomainSeries {
        final Map<SeriesKey, Deque<Datapoint>> series = new LinkedHashMap<>();
    }

    private final Duration retention;
    private final Map<String, DomainSeries> domains = new ConcurrentHashMap<>();

    public MetricsStore(Duration retention) {
        this.retention = requireNonNull(retention, "retention is null");
    }

    public Duration retention() {
        return retention;
    }

    public void record(String uuid, long epochMillis, List<Sample> samples) {
        DomainSeries domain = domains.computeIfAbsent(uuid, key -> new DomainSeries());
        synchronized (domain) {
            for (Sample sample : samples) {
                domain.series.computeIfAbsent(new SeriesKey(sample.kind(), sample.dimensions()),
                        key -> new ArrayDeque<>()).addLast(new Datapoint(epochMillis, sample.value()));
            }
        }
    }

    /** Drops datapoints older than the retention; domains left without any disappear. */
    public void prune(long nowMillis) {
        long oldest = nowMillis - retention.toMillis();
        domains.forEach((uuid, domain) -> {
            synchronized (domain) {
                domain.series.values().forEach(points -> {
                    while (!points.isEmpty() && points.peekFirst().epochMillis() < oldest) {
                        points.removeFirst();
                    }
                });
                domain.series.values().removeIf(Deque::isEmpty);
                if (domain.series.isEmpty()) {
                    domains.remove(uuid, domain);
                }
            }
        });
    }

    /** The domain's measures with datapoints at or after {@code sinceMillis}, oldest first. */
    public List<Measure> query(String uuid, long sinceMillis) {
        DomainSeries domain = domains.get(uuid);
        List<Measure> measures = new ArrayList<>();
        if (domain == null) {
            return measures;
        }
        synchronized (domain) {
            domain.series.forEach((key, points) -> {
                List<Datapoint> selected = points.stream().filter(point -> point.epochMillis() >= sinceMillis)
                        .toList();
                if (!selected.isEmpty()) {
                    measures.add(new Measure(key.kind(), key.dimensions(), selected));
                }
            });
        }
        measures.sort(Comparator.comparing(Measure::kind).thenComparing(measure -> measure.dimensions().toString()));
        return measures;
    }

    public int domainCount() {
        return domains.size();
    }
}
