package com.abiquo.aim.core.config;

import static java.util.Objects.requireNonNull;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * The values of an {@code aim.ini}, already cleaned of quotes and inline comments, with typed readers that accept
 * what real AIM files contain ({@code FALSE}, {@code "qemu:///system"}, {@code 60606 ; comment}) and refuse
 * anything else with a message naming the file, section, key and the accepted values.
 *
 * <p>Each module reads its own section into its own typed config record in {@code AimModule.start}.
 */
public final class AimSettings {
    private static final Set<String> TRUE_WORDS = Set.of("true", "yes", "on", "1");
    private static final Set<String> FALSE_WORDS = Set.of("false", "no", "off", "0");

    private final String source;
    private final Map<String, Map<String, String>> sections;

    /**
     * @param source what to call the origin in messages: a file path, or "built-in defaults"
     * @param sections section name -> key (lower case) -> cleaned value
     */
    public AimSettings(String source, Map<String, Map<String, String>> sections) {
        this.source = requireNonNull(source, "source is null");
        Map<String, Map<String, String>> copy = new LinkedHashMap<>();
        sections.forEach((name, values) -> {
            Map<String, String> lower = new LinkedHashMap<>();
            values.forEach((key, value) -> lower.put(key.toLowerCase(Locale.ROOT), value));
            copy.put(name, Map.copyOf(lower));
        });
        this.sections = Map.copyOf(copy);
    }

    public static AimSettings empty() {
        return new AimSettings("built-in defaults", Map.of());
    }

    public String source() {
        return source;
    }

    public Set<String> sectionNames() {
        return sections.keySet();
    }

    public Set<String> keys(String section) {
        return sections.getOrDefault(section, Map.of()).keySet();
    }

    public Optional<String> raw(String section, String key) {
        return Optional.ofNullable(sections.getOrDefault(section, Map.of()).get(key.toLowerCase(Locale.ROOT)));
    }

    public String string(String section, String key, String defaultValue) {
        return raw(section, key).orElse(defaultValue);
    }

    public String requiredString(String section, String key) throws ConfigException {
        String value = raw(section, key).orElse("");
        if (value.isEmpty()) {
            throw error(section, key, value, "a value is required");
        }
        return value;
    }

    public boolean bool(String section, String key, boolean defaultValue) throws ConfigException {
        Optional<String> value = raw(section, key);
        if (value.isEmpty() || value.get().isEmpty()) {
            return defaultValue;
        }
        String word = value.get().toLowerCase(Locale.ROOT);
        if (TRUE_WORDS.contains(word)) {
            return true;
        }
        if (FALSE_WORDS.contains(word)) {
            return false;
        }
        throw error(section, key, value.get(), "accepted values: true, false, yes, no, on, off, 1, 0 (any case)");
    }

    public int integer(String section, String key, int defaultValue, int min, int max) throws ConfigException {
        long value = longValue(section, key, defaultValue, min, max);
        return (int) value;
    }

    public long longValue(String section, String key, long defaultValue, long min, long max) throws ConfigException {
        Optional<String> value = raw(section, key);
        if (value.isEmpty() || value.get().isEmpty()) {
            return defaultValue;
        }
        long parsed;
        try {
            parsed = Long.parseLong(value.get());
        } catch (NumberFormatException notANumber) {
            throw error(section, key, value.get(), "accepted values: a whole number from " + min + " to " + max);
        }
        if (parsed < min || parsed > max) {
            throw error(section, key, value.get(), "accepted values: a whole number from " + min + " to " + max);
        }
        return parsed;
    }

    /** A comma-separated list; blanks around items are dropped, empty items are ignored. */
    public List<String> list(String section, String key, List<String> defaultValue) {
        Optional<String> value = raw(section, key);
        if (value.isEmpty() || value.get().isBlank()) {
            return defaultValue;
        }
        List<String> items = new ArrayList<>();
        for (String item : value.get().split(",")) {
            if (!item.isBlank()) {
                items.add(item.strip());
            }
        }
        return List.copyOf(items);
    }

    /** A path; relative paths are taken relative to the config file's folder so a checkout can carry its own. */
    public Optional<Path> path(String section, String key, Path baseFolder) {
        Optional<String> value = raw(section, key);
        if (value.isEmpty() || value.get().isEmpty()) {
            return Optional.empty();
        }
        return Optional.of(baseFolder.resolve(value.get()).normalize());
    }

    public <E extends Enum<E>> E enumValue(String section, String key, Class<E> type, E defaultValue)
            throws ConfigException {
        Optional<String> value = raw(section, key);
        if (value.isEmpty() || value.get().isEmpty()) {
            return defaultValue;
        }
        for (E constant : type.getEnumConstants()) {
            if (constant.name().equalsIgnoreCase(value.get().replace('-', '_'))) {
                return constant;
            }
        }
        List<String> accepted = new ArrayList<>();
        for (E constant : type.getEnumConstants()) {
            accepted.add(constant.name().toLowerCase(Locale.ROOT));
        }
        throw error(section, key, value.get(), "accepted values: " + String.join(", ", accepted));
    }

    /** An error that names where the bad value is, for modules that validate a value further. */
    public ConfigException error(String section, String key, String value, String accepted) {
        return new ConfigException(source + ": [" + section + "] " + key + " = \"" + value + "\" is invalid: "
                + accepted);
    }
}
