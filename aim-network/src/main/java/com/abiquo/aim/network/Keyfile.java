package com.abiquo.aim.network;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/**
 * A NetworkManager keyfile read as NetworkManager reads it (GLib's key file format): "[group]" lines, "key=value"
 * lines with the blanks around '=' dropped, '#' comment lines, and the escapes \s \n \t \r \\ in values. Keys
 * before any group, and lines that are neither, are ignored. A later key of a group wins.
 */
public record Keyfile(Map<String, Map<String, String>> groups) {
    public Keyfile {
        Map<String, Map<String, String>> copy = new LinkedHashMap<>();
        groups.forEach((name, keys) -> copy.put(name, Map.copyOf(keys)));
        groups = java.util.Collections.unmodifiableMap(copy);
    }

    public static Keyfile parse(String text) {
        Map<String, Map<String, String>> groups = new LinkedHashMap<>();
        Map<String, String> current = null;
        for (String line : text.split("\n", -1)) {
            String trimmed = line.strip();
            if (trimmed.isEmpty() || trimmed.startsWith("#")) {
                continue;
            }
            if (trimmed.startsWith("[") && trimmed.endsWith("]")) {
                current = groups.computeIfAbsent(trimmed.substring(1, trimmed.length() - 1), name ->
                        new LinkedHashMap<>());
                continue;
            }
            int equals = trimmed.indexOf('=');
            if (current != null && equals > 0) {
                current.put(trimmed.substring(0, equals).strip(), unescape(trimmed.substring(equals + 1).strip()));
            }
        }
        return new Keyfile(groups);
    }

    /** The value of group.key, if the file has it. */
    public Optional<String> get(String group, String key) {
        return Optional.ofNullable(groups.getOrDefault(group, Map.of()).get(key));
    }

    /** group.key's value, or "" when absent. */
    public String value(String group, String key) {
        return get(group, key).orElse("");
    }

    private static String unescape(String value) {
        if (value.indexOf('\\') < 0) {
            return value;
        }
        StringBuilder text = new StringBuilder(value.length());
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            if (c != '\\' || i + 1 == value.length()) {
                text.append(c);
                continue;
            }
            char next = value.charAt(++i);
            text.append(switch (next) {
                case 's' -> ' ';
                case 'n' -> '\n';
                case 't' -> '\t';
                case 'r' -> '\r';
                default -> next;
            });
        }
        return text.toString();
    }
}
