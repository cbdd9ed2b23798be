package com.abiquo.aim.libvirt.events;

import com.abiquo.aim.libvirt.connection.DomainEventSource.DomainStateSnapshot;
import com.abiquo.aim.libvirt.connection.DomainStates;
import java.util.Collection;
import java.util.Collections;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * What the events monitor believes about the domains: each one's name and last state, which of them have no
 * definition, and whether a listing since the connection last went away has filled it.
 *
 * <p>Not thread-safe: {@link DomainRecord} calls every method with its lock held.
 */
final class KnownDomains {
    private final Map<String, ResyncDiff.Known> known = new LinkedHashMap<>();
    // Domains without a definition (created without one, or undefined while running). libvirt sends no UNDEFINED
    // event for them: they are gone once they stop.
    private final Set<String> transients = new HashSet<>();
    // known holds every domain (a listing since the connection last went away), so a domain that starts unknown to
    // it was never defined.
    private boolean listed;

    /** @return what is known of the domain, null when it is not known */
    ResyncDiff.Known get(String uuid) {
        return known.get(uuid);
    }

    /** Every known domain, in the order they became known (a read-only view). */
    Collection<ResyncDiff.Known> all() {
        return Collections.unmodifiableCollection(known.values());
    }

    /**
     * Follows which domains have no definition, because a STOPPED event does not say that the domain went with it.
     *
     * @param state the state after the event by {@link LifecycleMapping#stateAfter}
     * @return the state after the event, UNDEFINED for a domain without a definition that stopped
     */
    VmState followDefinition(String uuid, int eventType, ResyncDiff.Known before, VmState state) {
        if (eventType == DomainStates.EVENT_DEFINED) {
            transients.remove(uuid);
        } else if (state.active() && (eventType == DomainStates.EVENT_UNDEFINED || before == null && listed)) {
            // Undefined while running, or running though neither listed nor defined (created without a definition;
            // QEMU reports RESUMED before STARTED, so not only STARTED tells).
            transients.add(uuid);
        } else if (eventType == DomainStates.EVENT_STOPPED && transients.contains(uuid)) {
            return VmState.UNDEFINED;
        }
        return state;
    }

    /** Remembers the state a journaled event left the domain in; UNDEFINED forgets the domain. */
    void record(String uuid, String name, VmState state) {
        if (state == VmState.UNDEFINED) {
            known.remove(uuid);
            transients.remove(uuid);
        } else {
            known.put(uuid, new ResyncDiff.Known(uuid, name, state));
        }
    }

    /** The connection went away: domains may come and go unseen until the next listing. */
    void connectionLost() {
        listed = false;
    }

    /**
     * Takes in what a fresh listing says about definitions, and marks the domains as listed; what it says about
     * states is for the caller to apply ({@link #baseline} or {@link #missedTransitions}, then {@link #refresh}).
     *
     * @return uuid (lower case) -> the domain as listed, in listing order
     */
    Map<String, ResyncDiff.Known> takeListing(List<DomainStateSnapshot> listing) {
        Map<String, ResyncDiff.Known> now = new LinkedHashMap<>();
        for (DomainStateSnapshot domain : listing) {
            String uuid = domain.uuid().toLowerCase(Locale.ROOT);
            now.put(uuid, new ResyncDiff.Known(uuid, domain.name(), VmState.fromLibvirt(domain.state())));
            // the listing knows what the events could not tell: a domain already running without a definition
            if (domain.persistent()) {
                transients.remove(uuid);
            } else {
                transients.add(uuid);
            }
        }
        listed = true;
        return now;
    }

    /** The first listing: it is what the monitor knows, with no transitions to tell. */
    void baseline(Map<String, ResyncDiff.Known> now) {
        known.clear();
        known.putAll(now);
    }

    /** What happened, as far as can be known, between the known states and a listing taken after a reconnection. */
    List<ResyncDiff.Transition> missedTransitions(Map<String, ResyncDiff.Known> now) {
        return ResyncDiff.diff(known, now);
    }

    /** Takes the listed names and states as known (names may have changed without an event we saw). */
    void refresh(Map<String, ResyncDiff.Known> now) {
        now.values().forEach(domain -> known.put(domain.uuid(), domain));
    }

    /** uuid -> state of every known domain (a copy). */
    Map<String, VmState> states() {
        Map<String, VmState> states = new LinkedHashMap<>();
        known.forEach((uuid, domain) -> states.put(uuid, domain.state()));
        return states;
    }
}
