package com.abiquo.aim.libvirt.events;

import static java.util.Objects.requireNonNull;

import java.util.Locale;

/** A domain as a client names it in a filter: by uuid (compared case-insensitively) or by name. */
public record DomainKey(boolean byUuid, String value) {
    public DomainKey {
        requireNonNull(value, "value is null");
        if (byUuid) {
            value = value.toLowerCase(Locale.ROOT);
        }
    }

    public static DomainKey uuid(String uuid) {
        return new DomainKey(true, uuid);
    }

    public static DomainKey name(String name) {
        return new DomainKey(false, name);
    }

    public boolean matches(String uuid, String name) {
        return byUuid ? value.equalsIgnoreCase(uuid) : value.equals(name);
    }

    @Override
    public String toString() {
        return (byUuid ? "uuid " : "name ") + value;
    }
}
