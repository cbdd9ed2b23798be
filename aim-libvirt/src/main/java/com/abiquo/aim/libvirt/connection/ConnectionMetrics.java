package com.abiquo.aim.libvirt.connection;

import static java.util.Objects.requireNonNull;

import com.abiquo.aim.core.metrics.MetricFamilies;
import io.prometheus.metrics.core.metrics.Counter;
import io.prometheus.metrics.core.metrics.GaugeWithCallback;
import io.prometheus.metrics.model.registry.PrometheusRegistry;

/**
 * Whether libvirtd is reachable ({@code aim_libvirt_connected}, 0/1, also as {@code libvirt_up}, the libvirt
 * exporters' name) and how often the connection came back
 * ({@code aim_libvirt_reconnections_total}: a libvirtd that restarts every minute shows here). Listens to the
 * connection like any other listener, so the connection itself carries no metrics code.
 */
public final class ConnectionMetrics implements MetricFamilies, DomainEventSource.Listener {
    private final LibvirtConnection connection;
    private final Counter reconnections = Counter.builder()
            .name("aim_libvirt_reconnections")
            .help("Times the libvirt connection came back after it was lost")
            .build();

    public ConnectionMetrics(LibvirtConnection connection) {
        this.connection = requireNonNull(connection, "connection is null");
    }

    @Override
    public void registerIn(PrometheusRegistry registry) {
        registry.register(reconnections);
        registry.register(GaugeWithCallback.builder()
                .name("aim_libvirt_connected")
                .help("1 while the libvirt connection is up, 0 while AIM reconnects")
                .callback(callback -> callback.call(connection.connected() ? 1 : 0))
                .build());
        registry.register(GaugeWithCallback.builder() // the libvirt exporters' name, for their dashboards and alerts
                .name("libvirt_up")
                .help("1 while libvirtd is reachable, 0 while AIM reconnects (as aim_libvirt_connected)")
                .callback(callback -> callback.call(connection.connected() ? 1 : 0))
                .build());
        connection.addListener(this);
    }

    @Override
    public void onConnected(boolean reconnected) {
        if (reconnected) {
            reconnections.inc();
        }
    }

    @Override
    public void onLifecycleEvent(DomainEventSource.DomainLifecycleEvent event) {
        // counted by the events monitor
    }

    @Override
    public void onDisconnected(String why) {
        // the gauge reads the connection's state at scrape time
    }
}
