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
        problems.collect(MetricsSettings::from);
        for (AimModule module : modules) {
            problems.collect(read -> {
                module.checkConfig(read, configFolder);
                return module;
            });
        }
        problems.throwIfAny();
        return new ConfigCheck(server, ConfigValidator.obsoleteKeyWarnings(settings, schema));
    }
}
