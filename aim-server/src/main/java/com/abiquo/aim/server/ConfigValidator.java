package com.abiquo.aim.server;

import com.abiquo.aim.core.config.AimSettings;
import com.abiquo.aim.core.config.ConfigException;
import com.abiquo.aim.core.config.ConfigKey;
import com.abiquo.aim.core.config.ConfigSchema;
import java.util.List;
import java.util.stream.Collectors;

/**
 * Refuses any section or key of aim.ini that neither the server nor a loaded module declares, so that a typo
 * ({@code autoBakup}) stops start-up with a precise message instead of being silently ignored.
 */
final class ConfigValidator {
    private ConfigValidator() {
    }

    static void validate(AimSettings settings, ConfigSchema schema) throws ConfigException {
        for (String section : settings.sectionNames()) {
            if (!schema.hasSection(section)) {
                throw new ConfigException(settings.source() + ": unknown section [" + section
                        + "]; accepted sections: " + String.join(", ", schema.sectionNames().stream()
                                .map(name -> "[" + name + "]").toList()));
            }
            for (String key : settings.keys(section)) {
                if (!schema.hasKey(section, key)) {
                    throw new ConfigException(settings.source() + ": [" + section + "] unknown key \"" + key
                            + "\"; accepted keys in [" + section + "]: " + acceptedKeys(schema.keys(section)));
                }
            }
        }
    }

    private static String acceptedKeys(List<ConfigKey> keys) {
        return keys.isEmpty() ? "(none)" : keys.stream().map(ConfigKey::name).collect(Collectors.joining(", "));
    }
}
