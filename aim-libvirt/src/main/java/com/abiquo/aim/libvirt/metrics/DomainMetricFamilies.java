package com.abiquo.aim.libvirt.metrics;

import static java.util.Objects.requireNonNull;

import com.abiquo.aim.core.metrics.MetricFamilies;
import io.prometheus.metrics.model.registry.MultiCollector;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import io.prometheus.metrics.model.snapshots.CounterSnapshot;
import io.prometheus.metrics.model.snapshots.CounterSnapshot.CounterDataPointSnapshot;
import io.prometheus.metrics.model.snapshots.GaugeSnapshot;
import io.prometheus.metrics.model.snapshots.GaugeSnapshot.GaugeDataPointSnapshot;
import io.prometheus.metrics.model.snapshots.Labels;
import io.prometheus.metrics.model.snapshots.MetricSnapshot;
import io.prometheus.metrics.model.snapshots.MetricSnapshots;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;

/**
 * The node's domains for Prometheus, from the collector's latest round, under the names of the libvirt exporters
 * that operators' dashboards already use ({@code libvirt_domain_info_cpu_time_seconds_total},
 * {@code libvirt_domain_block_stats_read_bytes_total}, ...), labelled {@code domain}, {@code uuid} and, for a disk
 * or an interface, {@code target_device}. Built at scrape time: no per-domain state is kept here.
 */
public final class DomainMetricFamilies implements MultiCollector, MetricFamilies {
    private record Family(String name, boolean counter, double scale, String help) {
    }

    private static final Map<MetricKind, Family> FAMILIES = new EnumMap<>(MetricKind.class);

    static {
        FAMILIES.put(MetricKind.CPU_TIME_NANOSECONDS, new Family("libvirt_domain_info_cpu_time_seconds", true, 1e-9,
                "CPU time the domain used, in seconds"));
        FAMILIES.put(MetricKind.MEMORY_BYTES, new Family("libvirt_domain_info_memory_usage_bytes", false, 1,
                "Memory the domain has, in bytes"));
        FAMILIES.put(MetricKind.MAX_MEMORY_BYTES, new Family("libvirt_domain_info_maximum_memory_bytes", false, 1,
                "Maximum memory of the domain, in bytes"));
        FAMILIES.put(MetricKind.VCPUS, new Family("libvirt_domain_info_virtual_cpus", false, 1,
                "Virtual CPUs of the domain"));
        FAMILIES.put(MetricKind.DISK_READ_BYTES, new Family("libvirt_domain_block_stats_read_bytes", true, 1,
                "Bytes read from a disk"));
        FAMILIES.put(MetricKind.DISK_READ_REQUESTS, new Family("libvirt_domain_block_stats_read_requests", true, 1,
                "Read requests to a disk"));
        FAMILIES.put(MetricKind.DISK_WRITE_BYTES, new Family("libvirt_domain_block_stats_write_bytes", true, 1,
                "Bytes written to a disk"));
        FAMILIES.put(MetricKind.DISK_WRITE_REQUESTS, new Family("libvirt_domain_block_stats_write_requests", true, 1,
                "Write requests to a disk"));
        FAMILIES.put(MetricKind.INTERFACE_RX_BYTES, new Family("libvirt_domain_interface_stats_receive_bytes", true,
                1, "Bytes received on a network interface"));
        FAMILIES.put(MetricKind.INTERFACE_RX_PACKETS, new Family("libvirt_domain_interface_stats_receive_packets",
                true, 1, "Packets received on a network interface"));
        FAMILIES.put(MetricKind.INTERFACE_TX_BYTES, new Family("libvirt_domain_interface_stats_transmit_bytes", true,
                1, "Bytes transmitted on a network interface"));
        FAMILIES.put(MetricKind.INTERFACE_TX_PACKETS, new Family("libvirt_domain_interface_stats_transmit_packets",
                true, 1, "Packets transmitted on a network interface"));
    }

    private final DomainReadings readings;

    public DomainMetricFamilies(DomainReadings readings) {
        this.readings = requireNonNull(readings, "readings is null");
    }

    @Override
    public void registerIn(PrometheusRegistry registry) {
        registry.register(this);
    }

    @Override
    public MetricSnapshots collect() {
        Map<MetricKind, List<Object>> points = new EnumMap<>(MetricKind.class);
        for (DomainReadings.Reading reading : readings.latest().values()) {
            for (MetricsStore.Sample sample : reading.samples()) {
                Family family = FAMILIES.get(sample.kind());
                Labels labels = labels(reading, sample.dimensions());
                double value = sample.value() * family.scale();
                points.computeIfAbsent(sample.kind(), kind -> new ArrayList<>()).add(family.counter()
                        ? CounterDataPointSnapshot.builder().labels(labels).value(value).build()
                        : GaugeDataPointSnapshot.builder().labels(labels).value(value).build());
            }
        }
        List<MetricSnapshot> families = new ArrayList<>();
        FAMILIES.forEach((kind, family) -> {
            List<Object> data = points.get(kind);
            if (data == null) {
                return; // no running domain: no family, as the exporters do
            }
            if (family.counter()) {
                CounterSnapshot.Builder counter = CounterSnapshot.builder().name(family.name()).help(family.help());
                data.forEach(point -> counter.dataPoint((CounterDataPointSnapshot) point));
                families.add(counter.build());
            } else {
                GaugeSnapshot.Builder gauge = GaugeSnapshot.builder().name(family.name()).help(family.help());
                data.forEach(point -> gauge.dataPoint((GaugeDataPointSnapshot) point));
                families.add(gauge.build());
            }
        });
        return new MetricSnapshots(families);
    }

    @Override
    public List<String> getPrometheusNames() {
        return FAMILIES.values().stream().map(Family::name).toList();
    }

    /** domain and uuid; a disk's "device" or an interface's "interface" becomes the exporters' target_device. */
    private static Labels labels(DomainReadings.Reading reading, Map<String, String> dimensions) {
        String device = dimensions.getOrDefault("device", dimensions.get("interface"));
        return device == null
                ? Labels.of("domain", reading.name(), "uuid", reading.uuid())
                : Labels.of("domain", reading.name(), "target_device", device, "uuid", reading.uuid());
    }
}
