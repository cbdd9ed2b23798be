package com.abiquo.aim.core.config;

import java.util.Optional;

/**
 * A configuration that cannot be used; the message names the file, section, key and what is accepted. When the
 * problem lies in one key, {@link #section()} and {@link #key()} say which, so that every bad key of a file can be
 * found in one run ({@link ConfigProblems}).
 */
public final class ConfigException extends Exception {
    private final String section;
    private final String key;

    public ConfigException(String message) {
        this(message, null, null, null);
    }

    public ConfigException(String message, Throwable cause) {
        this(message, null, null, cause);
    }

    /** A problem in one key; {@code key} null for a problem of a whole section. */
    public ConfigException(String message, String section, String key) {
        this(message, section, key, null);
    }

    private ConfigException(String message, String section, String key, Throwable cause) {
        super(message, cause);
        this.section = section;
        this.key = key;
    }

    public Optional<String> section() {
        return Optional.ofNullable(section);
    }

    public Optional<String> key() {
        return Optional.ofNullable(key);
    }
}
