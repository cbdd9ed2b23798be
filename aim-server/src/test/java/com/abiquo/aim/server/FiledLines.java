package com.abiquo.aim.server;

import com.abiquo.aim.testing.Waits;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;

/** Lines rsyslog files (the real daemon of scripts/setup), read back by the syslog and audit tests. */
final class FiledLines {
    private FiledLines() {
    }

    /** Waits for the first line of {@code file} holding both texts, and returns it. */
    static String waitForLine(Path file, String tag, String text, Duration timeout) {
        return Waits.awaitValue("syslog to file \"" + tag + "..." + text + "\" in " + file, timeout,
                Duration.ofMillis(200), () -> firstLine(file, tag, text), Optional::isPresent, () -> "")
                .orElseThrow();
    }

    private static Optional<String> firstLine(Path file, String tag, String text) throws Exception {
        List<String> lines = Files.exists(file) ? Files.readAllLines(file) : List.of();
        return lines.stream().filter(line -> line.contains(tag) && line.contains(text)).findFirst();
    }
}
