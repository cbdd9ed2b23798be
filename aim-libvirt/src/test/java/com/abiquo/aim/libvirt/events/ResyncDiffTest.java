package com.abiquo.aim.libvirt.events;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import org.junit.jupiter.api.Test;

class ResyncDiffTest {
    private static ResyncDiff.Known known(String uuid, VmState state) {
        return new ResyncDiff.Known(uuid, "vm-" + uuid, state);
    }

    private static List<String> kinds(List<ResyncDiff.Transition> transitions) {
        return transitions.stream().map(t -> t.uuid() + ":" + t.kind() + "->" + t.state()).toList();
    }

    @Test
    void derivesTheMissedTransitions() {
        var before = ResyncDiff.byUuid(List.of(known("a", VmState.RUNNING), known("b", VmState.SHUTOFF),
                known("c", VmState.PAUSED), known("gone", VmState.RUNNING), known("same", VmState.RUNNING)));
        var now = ResyncDiff.byUuid(List.of(known("a", VmState.SHUTOFF), known("b", VmState.RUNNING),
                known("c", VmState.RUNNING), known("new", VmState.RUNNING), known("same", VmState.BLOCKED),
                known("newoff", VmState.SHUTOFF)));
        assertEquals(List.of("a:POWERED_OFF->SHUTOFF", "b:POWERED_ON->RUNNING", "c:RESUMED->RUNNING",
                "new:CREATED->SHUTOFF", "new:POWERED_ON->RUNNING", "newoff:CREATED->SHUTOFF",
                "gone:DESTROYED->UNDEFINED"), kinds(ResyncDiff.diff(before, now)));
    }

    @Test
    void aDomainThatStartedPausedPowersOnThenPauses() {
        assertEquals(List.of("x:POWERED_ON->RUNNING", "x:PAUSED->PAUSED"),
                kinds(ResyncDiff.between("x", "vm-x", VmState.SHUTOFF, VmState.PAUSED)));
        assertEquals(List.of("x:PAUSED->PAUSED"),
                kinds(ResyncDiff.between("x", "vm-x", VmState.RUNNING, VmState.PAUSED)));
        assertEquals(List.of("x:CRASHED->CRASHED"),
                kinds(ResyncDiff.between("x", "vm-x", VmState.RUNNING, VmState.CRASHED)));
        assertEquals(List.of(), kinds(ResyncDiff.between("x", "vm-x", VmState.SHUTDOWN, VmState.RUNNING)));
    }
}
