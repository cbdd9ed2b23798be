package com.abiquo.aim.core.config;

import static java.util.Objects.requireNonNull;

/**
 * One accepted key of an {@code aim.ini} section, with its default as written in a file ("" for none) and a
 * one-line description for the config reference and error messages.
 *
 * @param replacedBy for a key that only an older AIM read: what took its place, said in the warning a file that
 *     still sets it gets; "" for a key in use
 */
public record ConfigKey(String name, String defaultValue, String description, String replacedBy) {
    public ConfigKey {
        requireNonNull(name, "name is null");
        requireNonNull(defaultValue, "defaultValue is null");
        requireNonNull(description, "description is null");
        requireNonNull(replacedBy, "replacedBy is null");
    }

    public ConfigKey(String name, String defaultValue, String description) {
        this(name, defaultValue, description, "");
    }

    /**
     * A key that a released version of the original AIM read and this AIM does not: accepted, so that an upgraded
     * node keeps its aim.ini, and ignored with one warning naming what replaced it.
     */
    public static ConfigKey obsolete(String name, String replacedBy) {
        return new ConfigKey(name, "", "obsolete (original AIM), ignored with a warning: " + replacedBy, replacedBy);
    }

    public boolean isObsolete() {
        return !replacedBy.isEmpty();
    }
}
