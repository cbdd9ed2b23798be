package com.abiquo.aim.testing;

import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Waits on the output of a process a test started (AIM, a daemon), collected line by line by a reader thread. */
public final class OutputLines {
    private OutputLines() {
    }

    /**
     * Waits until a line of {@code lines} matches {@code pattern} and returns its match. Fails at once if
     * {@code process} ends first, and names the output either way.
     *
     * @param lines the output so far: a thread-safe list another thread appends to
     */
    public static Matcher awaitMatch(List<String> lines, Pattern pattern, Duration timeout, Process process) {
        return Waits.awaitValue(process.info().command().orElse("the process") + " to print " + pattern, timeout,
                Duration.ofMillis(50), () -> {
                    Optional<Matcher> match = firstMatch(lines, pattern);
                    if (match.isEmpty() && !process.isAlive()) {
                        throw new AssertionError("the process ended (" + process.exitValue() + ") before printing "
                                + pattern + ":\n" + String.join("\n", List.copyOf(lines)));
                    }
                    return match;
                }, Optional::isPresent, () -> "its output:\n" + String.join("\n", List.copyOf(lines)))
                .orElseThrow();
    }

    private static Optional<Matcher> firstMatch(List<String> lines, Pattern pattern) {
        for (String line : List.copyOf(lines)) {
            Matcher matcher = pattern.matcher(line);
            if (matcher.find()) {
                return Optional.of(matcher);
            }
        }
        return Optional.empty();
    }
}
