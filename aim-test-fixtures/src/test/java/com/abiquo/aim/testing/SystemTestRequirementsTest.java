package com.abiquo.aim.testing;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.opentest4j.AssertionFailedError;

/** A missing requirement fails (never skips) and says what is missing and how to leave system tests out. */
class SystemTestRequirementsTest {
    @Test
    void aMissingToolFailsNamingItAndWhatInstallsIt() {
        AssertionFailedError failure = assertThrows(AssertionFailedError.class, () -> SystemTestRequirements
                .requireExecutable(Path.of("/nonexistent/tool"), "scripts/setup.d/99-tool.sh"));
        assertEquals("this system test needs /nonexistent/tool, which scripts/setup.d/99-tool.sh installs; run "
                + "scripts/setup, or leave the system tests out with -Daim.excludedGroups=system",
                failure.getMessage());
    }

    @Test
    void rootIsTheEffectiveUserIdAsIdSaysIt() throws Exception {
        Process id = new ProcessBuilder("id", "-u").start();
        String uid = new String(id.getInputStream().readAllBytes(), StandardCharsets.US_ASCII).strip();
        assertEquals(uid.equals("0"), SystemTestRequirements.root());
    }
}
