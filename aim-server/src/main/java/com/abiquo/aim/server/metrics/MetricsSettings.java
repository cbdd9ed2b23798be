package com.abiquo.aim.server.metrics;

import static java.util.Objects.requireNonNull;

import com.abiquo.aim.core.config.AimSettings;
import com.abiquo.aim.core.config.ConfigException;
import com.abiquo.aim.core.config.ConfigKey;
import com.abiquo.aim.core.config.ConfigSchema;
import java.util.OptionalInt;

/**
 * The {@code [metrics]} section: where Prometheus scrapes {@code /metrics}. Off unless a port is set.
 *
 * @param address IP address or host name to bind
 * @param port TCP port; empty = no endpoint (the registry still counts); 0 picks a free one (tests)
 * @param tls serve HTTPS with the certificate and key of {@code [server]}
 * @param grpcCalls record grpc-java's per-call metrics (gRFC A66)
 */
public record MetricsSettings(String address, OptionalInt port, boolean tls, boolean grpcCalls) {
    public static final String SECTION = "metrics";

    public MetricsSettings {
        requireNonNull(address, "address is null");
        requireNonNull(port, "port is null");
    }

    public static ConfigSchema schema() {
        return new ConfigSchema().section(SECTION,
                new ConfigKey("address", "127.0.0.1",
                        "IP address (or host name) the Prometheus endpoint /metrics listens on"),
                new ConfigKey("port", "",
                        "TCP port of /metrics (Prometheus text and OpenMetrics); empty = no endpoint. "
                                + "See docs/metrics.md"),
                new ConfigKey("tls", "false",
                        "serve /metrics over HTTPS with [server] tlsCertificate and tlsKey (both must be set)"),
                new ConfigKey("grpcCalls", "true",
                        "count every gRPC call by method and status with its duration (grpc_server_call_*)"));
    }

    public static MetricsSettings from(AimSettings settings) throws ConfigException {
        String address = settings.listenAddress(SECTION, "address", "127.0.0.1");
        OptionalInt port = settings.string(SECTION, "port", "").isBlank() ? OptionalInt.empty()
                : OptionalInt.of(settings.integer(SECTION, "port", 0, 0, 65535));
        return new MetricsSettings(address, port, settings.bool(SECTION, "tls", false),
                settings.bool(SECTION, "grpcCalls", true));
    }

    public boolean enabled() {
        return port.isPresent();
    }
}
