package com.abiquo.aim.libvirt.events;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import com.abiquo.aim.libvirt.connection.DomainEventSource.DomainStateSnapshot;
import com.abiquo.aim.libvirt.connection.DomainStates;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class KnownDomainsTest {
    private static final int LIBVIRT_RUNNING = 1;
    private static final int LIBVIRT_SHUTOFF = 5;

    private final KnownDomains domains = new KnownDomains();

    /** Runs one live event through the bookkeeping the way the monitor does: follow the definition, then record. */
    private VmState live(String uuid, int eventType, VmState stateAfter) {
        VmState state = domains.followDefinition(uuid, eventType, domains.get(uuid), stateAfter);
        domains.record(uuid, "vm-" + uuid, state);
        return state;
    }

    @Test
    void aDomainThatStartsUnlistedHasNoDefinitionAndIsGoneOnceItStops() {
        domains.baseline(domains.takeListing(List.of(new DomainStateSnapshot("A", "vm-a", LIBVIRT_SHUTOFF))));
        assertEquals(VmState.RUNNING, live("t", DomainStates.EVENT_RESUMED, VmState.RUNNING));
        assertEquals(VmState.UNDEFINED, live("t", DomainStates.EVENT_STOPPED, VmState.SHUTOFF));
        assertEquals(Map.of("a", VmState.SHUTOFF), domains.states(), "the listing's uuid is kept in lower case");
    }

    @Test
    void withoutAListingAnUnknownDomainMayHaveADefinition() {
        live("d", DomainStates.EVENT_STARTED, VmState.RUNNING);
        assertEquals(VmState.SHUTOFF, live("d", DomainStates.EVENT_STOPPED, VmState.SHUTOFF));
        domains.baseline(domains.takeListing(List.of()));
        domains.connectionLost();
        live("e", DomainStates.EVENT_STARTED, VmState.RUNNING);
        assertEquals(VmState.SHUTOFF, live("e", DomainStates.EVENT_STOPPED, VmState.SHUTOFF), "not listed since");
    }

    @Test
    void undefiningARunningDomainThenDefiningItAgainKeepsIt() {
        domains.baseline(domains.takeListing(List.of(new DomainStateSnapshot("u", "vm-u", LIBVIRT_RUNNING))));
        live("u", DomainStates.EVENT_UNDEFINED, VmState.RUNNING);
        live("u", DomainStates.EVENT_DEFINED, VmState.RUNNING);
        assertEquals(VmState.SHUTOFF, live("u", DomainStates.EVENT_STOPPED, VmState.SHUTOFF));
    }

    @Test
    void theListingTellsWhichDomainsHaveNoDefinition() {
        domains.baseline(domains.takeListing(List.of(
                new DomainStateSnapshot("p", "vm-p", LIBVIRT_RUNNING, true),
                new DomainStateSnapshot("t", "vm-t", LIBVIRT_RUNNING, false))));
        assertEquals(VmState.SHUTOFF, live("p", DomainStates.EVENT_STOPPED, VmState.SHUTOFF));
        assertEquals(VmState.UNDEFINED, live("t", DomainStates.EVENT_STOPPED, VmState.SHUTOFF));
        assertNull(domains.get("t"));
    }

    @Test
    void aResyncTellsTheMissedTransitionsThenTakesTheListedNames() {
        domains.baseline(domains.takeListing(List.of(new DomainStateSnapshot("a", "vm-a", LIBVIRT_SHUTOFF),
                new DomainStateSnapshot("gone", "vm-gone", LIBVIRT_SHUTOFF))));
        Map<String, ResyncDiff.Known> now = domains.takeListing(List.of(
                new DomainStateSnapshot("a", "renamed", LIBVIRT_RUNNING)));
        assertEquals(List.of(new ResyncDiff.Transition("a", "renamed", EventKind.POWERED_ON, VmState.RUNNING),
                new ResyncDiff.Transition("gone", "vm-gone", EventKind.DESTROYED, VmState.UNDEFINED)),
                domains.missedTransitions(now));
        domains.record("gone", "vm-gone", VmState.UNDEFINED);
        domains.refresh(now);
        assertEquals(List.of(new ResyncDiff.Known("a", "renamed", VmState.RUNNING)), List.copyOf(domains.all()));
    }
}
