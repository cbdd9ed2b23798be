package com.abiquo.aim.libvirt.metrics;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.prometheus.metrics.model.registry.PrometheusRegistry;
import io.prometheus.metrics.model.snapshots.CounterSnapshot;
import io.prometheus.metrics.model.snapshots.MetricSnapshot;
import io.prometheus.metrics.model.snapshots.MetricSnapshots;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The domains' families: the libvirt exporters' names and labels, units converted, vanished domains gone. */
class DomainMetricFamiliesTest {
    private final DomainReadings readings = new DomainReadings();
    private final PrometheusRegistry registry = new PrometheusRegistry();

    private static DomainReadings.Reading reading(String name, String uuid, long cpuNanos) {
        return new DomainReadings.Reading(name, uuid, List.of(
                new MetricsStore.Sample(MetricKind.CPU_TIME_NANOSECONDS, Map.of(), cpuNanos),
                new MetricsStore.Sample(MetricKind.MEMORY_BYTES, Map.of(), 64L << 20),
                new MetricsStore.Sample(MetricKind.DISK_READ_BYTES, Map.of("device", "vda"), 4096),
                new MetricsStore.Sample(MetricKind.INTERFACE_RX_BYTES,
                        Map.of("interface", "vnet3", "mac", "52:54:00:00:00:01"), 1500)));
    }

    @Test
    void namesLabelsAndUnitsOfTheLibvirtExporters() {
        new DomainMetricFamilies(readings).registerIn(registry);
        readings.replace(Map.of("u-1", reading("vm-1", "u-1", 2_500_000_000L)));
        MetricSnapshots scrape = registry.scrape();
        CounterSnapshot cpu = (CounterSnapshot) family(scrape, "libvirt_domain_info_cpu_time_seconds");
        assertEquals(2.5, cpu.getDataPoints().get(0).getValue(), 1e-9, "nanoseconds become seconds");
        assertEquals("{domain=\"vm-1\",uuid=\"u-1\"}", cpu.getDataPoints().get(0).getLabels().toString());
        assertEquals("{domain=\"vm-1\",target_device=\"vda\",uuid=\"u-1\"}", family(scrape,
                "libvirt_domain_block_stats_read_bytes").getDataPoints().get(0).getLabels().toString());
        assertEquals("{domain=\"vm-1\",target_device=\"vnet3\",uuid=\"u-1\"}", family(scrape,
                "libvirt_domain_interface_stats_receive_bytes").getDataPoints().get(0).getLabels().toString());
    }

    @Test
    void aDomainMissingFromTheLatestRoundIsGone() {
        new DomainMetricFamilies(readings).registerIn(registry);
        readings.replace(Map.of("u-1", reading("vm-1", "u-1", 1), "u-2", reading("vm-2", "u-2", 1)));
        assertEquals(2, family(registry.scrape(), "libvirt_domain_info_cpu_time_seconds").getDataPoints().size());
        readings.replace(Map.of("u-2", reading("vm-2", "u-2", 2)));
        assertEquals("vm-2", family(registry.scrape(), "libvirt_domain_info_cpu_time_seconds").getDataPoints().get(0)
                .getLabels().get("domain"));
        assertEquals(1, family(registry.scrape(), "libvirt_domain_info_cpu_time_seconds").getDataPoints().size());
        readings.clear(); // libvirtd unreachable: no stale values
        assertEquals(0, registry.scrape().size());
    }

    private static MetricSnapshot family(MetricSnapshots scrape, String name) {
        return scrape.stream().filter(family -> family.getMetadata().getName().equals(name)).findFirst()
                .orElseThrow(() -> new AssertionError(name + " missing"));
    }
}
