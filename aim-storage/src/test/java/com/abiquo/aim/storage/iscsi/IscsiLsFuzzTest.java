package com.abiquo.aim.storage.iscsi;

import com.code_intelligence.jazzer.junit.FuzzTest;
import java.nio.charset.StandardCharsets;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * Fuzzes the reader of {@code iscsi-ls (libiscsi)} output: whatever the tool prints (error lines, a version with another
 * layout, a hostile target's names), parsing never throws, and each target it gives has one non-empty IQN and
 * non-empty portals without (ASCII) white space, each IQN once: the discovery answer the client gets is well formed.
 */
class IscsiLsFuzzTest {
    @FuzzTest(maxDuration = "5s")
    void anyOutputGivesWellFormedTargets(byte[] input) {
        String output = new String(input, StandardCharsets.UTF_8);
        List<KernelInitiator.Target> targets = IscsiLs.parse(output);
        Set<String> iqns = new HashSet<>();
        for (KernelInitiator.Target target : targets) {
            if (!wellFormed(target.targetIqn()) || !iqns.add(target.targetIqn()) || target.portals().isEmpty()
                    || !target.portals().stream().allMatch(IscsiLsFuzzTest::wellFormed)) {
                throw new AssertionError("a malformed target " + target + " from\n" + output);
            }
        }
    }

    private static boolean wellFormed(String token) {
        // white space as the tool's layout counts it (ASCII): a token never spans two fields
        return !token.isEmpty() && token.chars().noneMatch(c -> " \t\n\u000B\f\r".indexOf(c) >= 0);
    }
}
