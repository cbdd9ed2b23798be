package com.abiquo.aim.testing;

import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * What tests tagged {@code system} need from the machine (root, the tools scripts/setup installs). A missing
 * requirement fails the test rather than skipping it: a skipped system test reads as green in CI while testing
 * nothing. A developer without root leaves the system tests out on purpose with {@value #HOW_TO_EXCLUDE}.
 */
public final class SystemTestRequirements {
    public static final String HOW_TO_EXCLUDE = "-Daim.excludedGroups=system";

    private SystemTestRequirements() {
    }

    /** Fails unless this JVM runs as root (effective uid 0); {@code forWhat} says what the test needs it for. */
    public static void requireRoot(String forWhat) {
        if (!root()) {
            fail("this system test needs root for " + forWhat + "; run it as root after scripts/setup, or leave "
                    + "the system tests out with " + HOW_TO_EXCLUDE);
        }
    }

    /** Fails unless {@code program} is an executable file; {@code installedBy} names what installs it. */
    public static void requireExecutable(Path program, String installedBy) {
        if (!Files.isExecutable(program)) {
            fail("this system test needs " + program + ", which " + installedBy + " installs; run scripts/setup, "
                    + "or leave the system tests out with " + HOW_TO_EXCLUDE);
        }
    }

    /** Whether the effective user is root (from /proc/self/status; the user's name may be anything). */
    public static boolean root() {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
                if (line.startsWith("Uid:")) {
                    return "0".equals(line.substring("Uid:".length()).trim().split("\\s+")[1]);
                }
            }
            return false;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
