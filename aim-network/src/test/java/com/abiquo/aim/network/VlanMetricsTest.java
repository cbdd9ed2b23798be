package com.abiquo.aim.network;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;

import com.abiquo.aim.core.error.AimException;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import io.prometheus.metrics.model.snapshots.CounterSnapshot;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

/** aim_vlan_operations_total: one count per operation, under OK or the status code the call answers. */
class VlanMetricsTest {
    @Test
    void resultIsOkOrTheStatusCode() throws Exception {
        VlanMetrics metrics = new VlanMetrics();
        PrometheusRegistry registry = new PrometheusRegistry();
        metrics.registerIn(registry);
        Object created = new Object();
        assertSame(created, metrics.count("create", () -> created));
        AimException refused = AimException.failedPrecondition(VlanErrorReason.BRIDGE_HAS_PORTS,
                "bridge br1 has ports");
        assertSame(refused, assertThrows(AimException.class, () -> metrics.count("delete", () -> {
            throw refused;
        })));
        assertThrows(IllegalStateException.class, () -> metrics.count("restore", () -> {
            throw new IllegalStateException("a bug");
        }));

        Map<String, Double> counted = new TreeMap<>();
        for (CounterSnapshot.CounterDataPointSnapshot point : ((CounterSnapshot) registry.scrape().get(0))
                .getDataPoints()) {
            counted.put(point.getLabels().get("operation") + " " + point.getLabels().get("result"), point.getValue());
        }
        assertEquals(Map.of("create OK", 1.0, "delete FAILED_PRECONDITION", 1.0, "restore INTERNAL", 1.0), counted);
    }
}
