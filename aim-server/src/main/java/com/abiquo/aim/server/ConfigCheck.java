package com.abiquo.aim.server;

import static java.util.Objects.requireNonNull;

import com.abiquo.aim.core.config.AimSettings;
import com.abiquo.aim.core.config.ConfigException;
import com.abiquo.aim.core.config.ConfigProblems;
import com.abiquo.aim.core.config.ConfigSchema;
import com.abiquo.aim.core.module.AimModule;
import com.abiquo.aim.server.metrics.MetricsSettings;
import com.abiquo.aim.server.security.AuthorizationSettings;
import com.abiquo.aim.server.security.ServerLimits;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.file.Path;
import java.util.List;

/**
 * The whole check of an aim.ini, the same for {@code --check-config} and for a real start: unknown sections and
 * keys, the [server] values (TLS files included) and every module's values. All problems are reported together,
 * in file order, so one edit fixes them all.
 *
 * @param server the [server] settings read from the file
 * @param warnings one per obsolete key the file sets
 */
record ConfigCheck(ServerSettings server, List<String> warnings) {
    ConfigCheck {
        requireNonNull(server, "server is null");
        warnings = List.copyOf(warnings);
    }

    static ConfigCheck run(AimSettings settings, ConfigSchema schema, List<AimModule> modules, Path configFolder)
            throws ConfigException {
        ConfigProblems problems = new ConfigProblems(settings);
        ConfigValidator.addUnknown(settings, schema, problems);
        ServerSettings server = problems.collect(read -> ServerSettings.from(read, configFolder)).orElse(null);
        if (server != null) {
            problems.collect(read -> AuthorizationSettings.from(read, server.mutualTls()));
        }
        problems.collect(ServerLimits::from);
        MetricsSettings metrics = problems.collect(MetricsSettings::from).orElse(null);
        if (server != null && metrics != null) {
            problems.collect(read -> {
                checkMetricsBesideServer(read, server, metrics);
                return metrics;
            });
        }
        for (AimModule module : modules) {
            problems.collect(read -> {
                module.checkConfig(read, configFolder);
                return module;
            });
        }
        problems.throwIfAny();
        return new ConfigCheck(server, ConfigValidator.obsoleteKeyWarnings(settings, schema));
    }

    /**
     * What the start of /metrics refuses: HTTPS without the server's certificate, and the gRPC server's port on an
     * address that overlaps the server's.
     */
    private static void checkMetricsBesideServer(AimSettings settings, ServerSettings server, MetricsSettings metrics)
            throws ConfigException {
        if (metrics.enabled() && metrics.tls() && !server.tls()) {
            throw settings.error(MetricsSettings.SECTION, "tls", settings.string(MetricsSettings.SECTION, "tls", ""),
                    "true needs [server] tlsCertificate and tlsKey");
        }
        int port = metrics.port().orElse(0);
        if (port == 0 || port != server.port() || !overlap(server.address(), metrics.address())) {
            return;
        }
        throw settings.error(MetricsSettings.SECTION, "port", Integer.toString(port), "[server] listens on port "
                + port + " at " + server.address() + " already; give /metrics a port of its own");
    }

    /** Same address, or one of them is a wildcard (0.0.0.0, ::) that covers the other. */
    private static boolean overlap(String first, String second) {
        try {
            InetAddress one = InetAddress.getByName(bare(first));
            InetAddress other = InetAddress.getByName(bare(second));
            return one.isAnyLocalAddress() || other.isAnyLocalAddress() || one.equals(other);
        } catch (UnknownHostException unresolved) {
            return false; // already refused as an address of its own
        }
    }

    private static String bare(String address) {
        return address.startsWith("[") && address.endsWith("]") ? address.substring(1, address.length() - 1)
                : address;
    }
}
