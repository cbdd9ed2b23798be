package com.abiquo.aim.server;

import com.abiquo.aim.core.config.AimSettings;
import com.abiquo.aim.core.config.ConfigException;
import com.abiquo.aim.core.config.ConfigKey;
import com.abiquo.aim.core.config.ConfigProblems;
import com.abiquo.aim.core.config.ConfigSchema;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Collectors;

/**
 * Refuses any section or key of aim.ini that neither the server nor a loaded module declares, so that a typo
 * ({@code autoBakup}) stops start-up with a precise message instead of being silently ignored; and finds the keys
 * that only the original AIM read, which are accepted with a warning.
 */
final class ConfigValidator {
    private ConfigValidator() {
    }

    /** Throws one exception naming every unknown section and key, in file order. */
    static void validate(AimSettings settings, ConfigSchema schema) throws ConfigException {
        ConfigProblems problems = new ConfigProblems(settings);
        addUnknown(settings, schema, problems);
        problems.throwIfAny();
    }

    static void addUnknown(AimSettings settings, ConfigSchema schema, ConfigProblems problems) {
        for (String section : settings.sectionNames()) {
            if (!schema.hasSection(section)) {
                problems.add(new ConfigException(settings.source() + ": unknown section [" + section
                        + "]; accepted sections: " + String.join(", ", schema.sectionNames().stream()
                                .map(name -> "[" + name + "]").toList()), section, null));
                continue;
            }
            for (String key : settings.keys(section)) {
                if (!schema.hasKey(section, key)) {
                    String spelled = settings.spelling(section, key);
                    problems.add(new ConfigException(settings.source() + ": [" + section + "] unknown key \""
                            + spelled + "\"; accepted keys in [" + section + "]: "
                            + acceptedKeys(schema.keys(section)), section, spelled));
                }
            }
        }
    }

    /** One warning for each key of the file that only the original AIM read, naming what replaced it (file order). */
    static List<String> obsoleteKeyWarnings(AimSettings settings, ConfigSchema schema) {
        List<String> warnings = new ArrayList<>();
        for (String section : settings.sectionNames()) {
            for (String name : settings.keys(section)) {
                for (ConfigKey key : schema.keys(section)) {
                    if (key.isObsolete() && key.name().equalsIgnoreCase(name)) {
                        warnings.add(settings.source() + ": [" + section + "] " + settings.spelling(section, name)
                                + " is obsolete (a setting of the original AIM) and ignored: " + key.replacedBy());
                    }
                }
            }
        }
        return List.copyOf(warnings);
    }

    private static String acceptedKeys(List<ConfigKey> keys) {
        List<ConfigKey> current = keys.stream().filter(key -> !key.isObsolete()).toList();
        return current.isEmpty() ? "(none)" : current.stream().map(ConfigKey::name).collect(Collectors.joining(", "));
    }
}
