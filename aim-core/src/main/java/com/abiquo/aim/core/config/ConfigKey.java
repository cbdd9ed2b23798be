package com.abiquo.aim.core.config;

import static java.util.Objects.requireNonNull;

/**
 * One accepted key of an {@code aim.ini} section, with its default as written in a file ("" for none) and a
 * one-line description for the config reference and error messages.
 */
public record ConfigKey(String name, String defaultValue, String description) {
    public ConfigKey {
        requireNonNull(name, "name is null");
        requireNonNull(defaultValue, "defaultValue is null");
        requireNonNull(description, "description is null");
    }
}
