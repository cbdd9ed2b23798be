package com.abiquo.aim.libvirt.events;

import java.util.Collection;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * Which events a subscriber receives: all domains or some (by uuid or name), and some event kinds or all.
 * Immutable; a modification makes a new filter. Each watched domain remembers the sequence number after which it
 * was added, so a domain added to an open subscription only matches events that happened after the change.
 */
public final class SubscriptionFilter {
    private final boolean allDomains;
    private final Map<String, Long> uuids;
    private final Map<String, Long> names;
    private final Set<EventKind> kinds;

    private SubscriptionFilter(boolean allDomains, Map<String, Long> uuids, Map<String, Long> names,
                               Set<EventKind> kinds) {
        this.allDomains = allDomains;
        this.uuids = Map.copyOf(uuids);
        this.names = Map.copyOf(names);
        this.kinds = kinds.isEmpty() ? Set.of() : Set.copyOf(EnumSet.copyOf(kinds));
    }

    /** The most domains a filter names: a request's, and a subscription's after modifications. */
    public static final int MAX_DOMAINS = 10_000;

    /** @param kinds empty means every kind */
    public static SubscriptionFilter allDomains(Collection<EventKind> kinds) {
        return new SubscriptionFilter(true, Map.of(), Map.of(), Set.copyOf(kinds));
    }

    /** @param domains may be empty: nothing matches until domains are added */
    public static SubscriptionFilter domains(Collection<DomainKey> domains, Collection<EventKind> kinds) {
        Map<String, Long> uuids = new HashMap<>();
        Map<String, Long> names = new HashMap<>();
        for (DomainKey key : domains) {
            (key.byUuid() ? uuids : names).put(key.value(), 0L);
        }
        return new SubscriptionFilter(false, uuids, names, Set.copyOf(kinds));
    }

    public boolean allDomainsSelected() {
        return allDomains;
    }

    public Set<EventKind> kinds() {
        return kinds;
    }

    public java.util.List<DomainKey> domains() {
        java.util.List<DomainKey> keys = new java.util.ArrayList<>();
        uuids.keySet().stream().sorted().forEach(uuid -> keys.add(DomainKey.uuid(uuid)));
        names.keySet().stream().sorted().forEach(name -> keys.add(DomainKey.name(name)));
        return keys;
    }

    /** Whether the domain is selected at all (snapshots ignore kinds and the "added after" point). */
    public boolean selects(String uuid, String name) {
        return allDomains || uuids.containsKey(uuid.toLowerCase(Locale.ROOT)) || names.containsKey(name);
    }

    public boolean matches(MonitorEvent event) {
        if (!kinds.isEmpty() && !kinds.contains(event.kind())) {
            return false;
        }
        if (allDomains) {
            return true;
        }
        Long afterUuid = uuids.isEmpty() ? null : uuids.get(event.uuid().toLowerCase(Locale.ROOT));
        if (afterUuid != null && event.sequence() > afterUuid) {
            return true;
        }
        Long afterName = names.isEmpty() ? null : names.get(event.name());
        return afterName != null && event.sequence() > afterName;
    }

    /**
     * This filter with domains added (effective for events after {@code afterSequence}) and removed. Adding to an
     * all-domains filter changes nothing; domains already watched keep their point.
     */
    public SubscriptionFilter modified(Collection<DomainKey> add, Collection<DomainKey> remove, long afterSequence) {
        if (allDomains) {
            return this;
        }
        Map<String, Long> newUuids = new HashMap<>(uuids);
        Map<String, Long> newNames = new HashMap<>(names);
        for (DomainKey key : remove) {
            (key.byUuid() ? newUuids : newNames).remove(key.value());
        }
        for (DomainKey key : add) {
            (key.byUuid() ? newUuids : newNames).putIfAbsent(key.value(), afterSequence);
        }
        return new SubscriptionFilter(false, newUuids, newNames, kinds);
    }

    @Override
    public String toString() {
        return (allDomains ? "all domains" : domains().toString()) + (kinds.isEmpty() ? ", all kinds" : ", " + kinds);
    }
}
