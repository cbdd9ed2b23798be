package com.abiquo.aim.core.module;

import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Interfaces that one module implements and another uses, keyed by the interface type from aim-core
 * (for example {@link com.abiquo.aim.core.spi.StoragePoolOperations}). Modules never import each other; they meet here.
 * Look up at call time: the publisher may start after the user.
 */
public final class ServiceRegistry {
    private final Map<Class<?>, Object> published = new ConcurrentHashMap<>();

    public <T> void publish(Class<T> type, T implementation) {
        Object previous = published.putIfAbsent(type, type.cast(implementation));
        if (previous != null) {
            throw new IllegalStateException(type.getName() + " is published twice");
        }
    }

    public <T> Optional<T> lookup(Class<T> type) {
        return Optional.ofNullable(type.cast(published.get(type)));
    }
}
