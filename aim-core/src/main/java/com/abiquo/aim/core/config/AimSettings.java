package com.abiquo.aim.core.config;

import static java.util.Objects.requireNonNull;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
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
    /** section -> key (lower case) -> value, both in file order */
    private final Map<String, Map<String, String>> sections;
    /** section -> key (lower case) -> the key as the file spells it, for messages */
    private final Map<String, Map<String, String>> spellings;

    /**
     * @param source what to call the origin in messages: a file path, or "built-in defaults"
     * @param sections section name -> key (as the file spells it) -> cleaned value, in file order
     */
    public AimSettings(String source, Map<String, Map<String, String>> sections) {
        this.source = requireNonNull(source, "source is null");
        Map<String, Map<String, String>> values = new LinkedHashMap<>();
        Map<String, Map<String, String>> spelled = new LinkedHashMap<>();
        sections.forEach((name, keys) -> {
            Map<String, String> lower = new LinkedHashMap<>();
            Map<String, String> spelling = new LinkedHashMap<>();
            keys.forEach((key, value) -> {
                lower.put(key.toLowerCase(Locale.ROOT), requireNonNull(value, "value is null"));
                spelling.put(key.toLowerCase(Locale.ROOT), key);
            });
            values.put(name, Collections.unmodifiableMap(lower));
            spelled.put(name, Collections.unmodifiableMap(spelling));
        });
        this.sections = Collections.unmodifiableMap(values);
        this.spellings = Collections.unmodifiableMap(spelled);
    }

    public static AimSettings empty() {
        return new AimSettings("built-in defaults", Map.of());
    }

    public String source() {
        return source;
    }

    /** The sections in file order. */
    public Set<String> sectionNames() {
        return sections.keySet();
    }

    /** The keys of a section in file order, lower case (see {@link #spelling} for the file's spelling). */
    public Set<String> keys(String section) {
        return sections.getOrDefault(section, Map.of()).keySet();
    }

    /** The key as the file spells it ({@code autoBakup}, not {@code autobakup}); the key itself when absent. */
    public String spelling(String section, String key) {
        return spellings.getOrDefault(section, Map.of()).getOrDefault(key.toLowerCase(Locale.ROOT), key);
    }

    /**
     * Where a key (or, for a null key, a section) stands in the file, counting sections and keys from the top;
     * {@link Integer#MAX_VALUE} when the file does not have it.
     */
    public int position(String section, String key) {
        int position = 0;
        for (Map.Entry<String, Map<String, String>> entry : sections.entrySet()) {
            if (entry.getKey().equals(section) && key == null) {
                return position;
            }
            position++;
            for (String name : entry.getValue().keySet()) {
                if (entry.getKey().equals(section) && key != null && name.equals(key.toLowerCase(Locale.ROOT))) {
                    return position;
                }
                position++;
            }
        }
        return Integer.MAX_VALUE;
    }

    /** These settings without one key, as if the file did not set it: its default applies. */
    public AimSettings without(String section, String key) {
        Map<String, Map<String, String>> copy = new LinkedHashMap<>();
        sections.forEach((name, keys) -> {
            Map<String, String> kept = new LinkedHashMap<>();
            keys.forEach((lower, value) -> {
                if (!(name.equals(section) && lower.equals(key.toLowerCase(Locale.ROOT)))) {
                    kept.put(spellings.get(name).get(lower), value);
                }
            });
            copy.put(name, kept);
        });
        return new AimSettings(source, copy);
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
        Optional<String> value = given(section, key);
        if (value.isEmpty()) {
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
        Optional<String> value = given(section, key);
        if (value.isEmpty()) {
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

    /**
     * A comma-separated list; blanks around items are dropped, empty items are ignored (as AIM 1.0 read them: an
     * aim.ini with a trailing comma keeps working across an upgrade).
     */
    public List<String> list(String section, String key, List<String> defaultValue) throws ConfigException {
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

    /**
     * An address to listen on: an IP literal or a host name this machine resolves now, as the bind at start does.
     * Checked here so that --check-config refuses what the start would.
     */
    public String listenAddress(String section, String key, String defaultValue) throws ConfigException {
        String address = string(section, key, defaultValue).strip();
        String accepted = "an IP address or a host name this machine resolves, e.g. 127.0.0.1 or 0.0.0.0";
        if (address.isEmpty()) {
            throw error(section, key, address, accepted);
        }
        String bare = address.startsWith("[") && address.endsWith("]")
                ? address.substring(1, address.length() - 1) : address;
        if (!HostNames.isValid(bare)) {
            throw error(section, key, address, accepted);
        }
        try {
            InetAddress.getByName(bare);
        } catch (UnknownHostException unresolved) {
            throw error(section, key, address, accepted + "; \"" + bare + "\" does not resolve");
        }
        return address;
    }

    /**
     * The value of a typed key, empty when the file does not set it or sets it to nothing ({@code port =}): both
     * mean the default, as in AIM 1.0, so an aim.ini that worked keeps working across an upgrade.
     */
    private Optional<String> given(String section, String key) {
        return raw(section, key).filter(value -> !value.isEmpty());
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
        Optional<String> value = given(section, key);
        if (value.isEmpty()) {
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

    /**
     * An error that names where the bad value is, for modules that validate a value further. A URL's user
     * information in the value is masked: it may be a password.
     */
    public ConfigException error(String section, String key, String value, String accepted) {
        String spelled = spelling(section, key);
        return new ConfigException(source + ": [" + section + "] " + spelled + " = \"" + UrlCredentials.mask(value)
                + "\" is invalid: " + accepted, section, spelled);
    }
}
