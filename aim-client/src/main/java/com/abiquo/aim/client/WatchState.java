package com.abiquo.aim.client;

import static java.util.Objects.requireNonNull;

import com.abiquo.aim.v1.DomainEvent;
import com.abiquo.aim.v1.DomainRef;
import com.abiquo.aim.v1.DomainSnapshot;
import com.abiquo.aim.v1.DomainState;
import java.util.Collection;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * A watcher's cache (domain uuid -> last state) and cursor, and the one place changes are applied: cache first, then
 * the handler, then the cursor and its store. A handler that throws leaves cache and cursor as they were. Used by
 * one thread at a time (the watcher's); {@link #copy()} is safe from others.
 */
final class WatchState {
    private final DomainEventHandler handler;
    private final SequenceStore store;
    private final Map<String, DomainSnapshot> cache = new LinkedHashMap<>();
    private final Map<String, DomainSnapshot> view = Collections.unmodifiableMap(cache);
    private volatile long cursor;

    WatchState(DomainEventHandler handler, SequenceStore store) {
        this.handler = requireNonNull(handler, "handler is null");
        this.store = requireNonNull(store, "store is null");
        this.cursor = store.load().orElse(0);
    }

    long cursor() {
        return cursor;
    }

    synchronized Map<String, DomainSnapshot> copy() {
        return Map.copyOf(cache);
    }

    /** Applies one event; false for a duplicate (at or before the cursor), which is dropped. */
    boolean applyEvent(DomainEvent event) throws Exception {
        if (event.getSequence() <= cursor) {
            return false;
        }
        String uuid = event.getDomainUuid();
        DomainSnapshot previous;
        synchronized (this) {
            previous = event.getState() == DomainState.DOMAIN_STATE_UNDEFINED ? cache.remove(uuid)
                    : cache.put(uuid, DomainSnapshot.newBuilder().setDomainUuid(uuid)
                            .setDomainName(event.getDomainName()).setState(event.getState()).build());
        }
        try {
            handler.onEvent(event, view);
        } catch (Exception | Error failure) {
            synchronized (this) {
                if (previous == null) {
                    cache.remove(uuid);
                } else {
                    cache.put(uuid, previous);
                }
            }
            throw failure;
        }
        advance(event.getSequence());
        return true;
    }

    /**
     * Applies a snapshot. {@code replace}: it is the whole truth for the watched domains (a lost resume point, or
     * the first listing), so known domains absent from it are reported deleted, and the cursor moves to
     * {@code asOfSequence}. Otherwise (domains added to the subscription) it only adds states.
     */
    void applySnapshot(Collection<DomainSnapshot> domains, long asOfSequence, boolean replace) throws Exception {
        Map<String, DomainSnapshot> before;
        synchronized (this) {
            before = new LinkedHashMap<>(cache);
        }
        try {
            for (DomainSnapshot domain : domains) {
                DomainSnapshot previous;
                synchronized (this) {
                    previous = cache.put(domain.getDomainUuid(), domain);
                }
                if (previous == null || previous.getState() != domain.getState()) {
                    handler.onSnapshotState(domain, view);
                }
            }
            if (replace) {
                Set<String> present = domains.stream().map(DomainSnapshot::getDomainUuid).collect(Collectors.toSet());
                for (DomainSnapshot known : before.values()) {
                    if (!present.contains(known.getDomainUuid())) {
                        synchronized (this) {
                            cache.remove(known.getDomainUuid());
                        }
                        handler.onDeleted(known, view);
                    }
                }
            }
        } catch (Exception | Error failure) {
            synchronized (this) {
                cache.clear();
                cache.putAll(before);
            }
            throw failure;
        }
        if (replace) {
            advance(asOfSequence);
            handler.onSynced(asOfSequence, view);
        }
    }

    /** The domains a subscription no longer watches leave the cache (they are not deleted: nobody is told). */
    synchronized void forget(Collection<DomainRef> removed) {
        for (DomainRef ref : removed) {
            cache.values().removeIf(known -> ref.hasUuid() ? known.getDomainUuid().equalsIgnoreCase(ref.getUuid())
                    : known.getDomainName().equals(ref.getName()));
        }
    }

    void resumed() {
        handler.onSynced(cursor, view);
    }

    /** Forgets the cursor (not the store's copy): the next subscription starts with a snapshot that replaces all. */
    void dropCursor() {
        cursor = 0;
    }

    private void advance(long sequence) {
        cursor = sequence;
        store.save(sequence);
    }
}
