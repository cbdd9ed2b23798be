package com.abiquo.aim.core.config;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The sections and keys a module accepts in {@code aim.ini}. The server refuses any section or key that no loaded
 * module declares, so a typo is an error at start-up instead of a silently ignored setting.
 */
public final class ConfigSchema {
    private final Map<String, Map<String, ConfigKey>> sections = new LinkedHashMap<>();

    public ConfigSchema section(String section, ConfigKey... keys) {
        Map<String, ConfigKey> known = sections.computeIfAbsent(section, name -> new LinkedHashMap<>());
        for (ConfigKey key : keys) {
            known.put(key.name().toLowerCase(java.util.Locale.ROOT), key);
        }
        return this;
    }

    public ConfigSchema merge(ConfigSchema other) {
        other.sections.forEach((name, keys) -> section(name, keys.values().toArray(ConfigKey[]::new)));
        return this;
    }

    public boolean hasSection(String section) {
        return sections.containsKey(section);
    }

    /** Keys are matched case-insensitively: old AIM files wrote both {@code autoBackup} and {@code autobackup}. */
    public boolean hasKey(String section, String key) {
        Map<String, ConfigKey> keys = sections.get(section);
        return keys != null && keys.containsKey(key.toLowerCase(java.util.Locale.ROOT));
    }

    public List<String> sectionNames() {
        return List.copyOf(sections.keySet());
    }

    public List<ConfigKey> keys(String section) {
        Map<String, ConfigKey> keys = sections.get(section);
        return keys == null ? List.of() : List.copyOf(keys.values());
    }
}
