package com.abiquo.aim.network;

import com.abiquo.aim.core.error.AimException;
import com.abiquo.aim.core.metrics.MetricFamilies;
import io.prometheus.metrics.core.metrics.Counter;
import io.prometheus.metrics.model.registry.PrometheusRegistry;

/**
 * VLAN operations for Prometheus: {@code aim_vlan_operations_total{operation, result}}, where result is the gRPC
 * status code name the call answers (OK, FAILED_PRECONDITION, ...), so an alert can tell refusals from breakage.
 */
public final class VlanMetrics implements MetricFamilies {
    /** An operation of the manager. */
    interface Operation<T> {
        T run() throws AimException;
    }

    private final Counter operations = Counter.builder()
            .name("aim_vlan_operations")
            .help("VLAN operations (create, delete, restore), by result (a gRPC status code name)")
            .labelNames("operation", "result")
            .build();

    @Override
    public void registerIn(PrometheusRegistry registry) {
        registry.register(operations);
    }

    <T> T count(String operation, Operation<T> work) throws AimException {
        try {
            T result = work.run();
            operations.labelValues(operation, "OK").inc();
            return result;
        } catch (AimException failure) {
            operations.labelValues(operation, failure.code().name()).inc();
            throw failure;
        } catch (RuntimeException bug) {
            operations.labelValues(operation, "INTERNAL").inc();
            throw bug;
        }
    }
}
