package com.abiquo.aim.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * AIM's log lines reach the machine's real syslog daemon through /dev/log with ident abiquo-aim and facility
 * daemon: scripts/setup starts rsyslogd with a rule that files exactly those in /var/log/abiquo-aim.log.
 */
@Tag("system")
class LocalSyslogTest {
    private static final Path FILED = Path.of("/var/log/abiquo-aim.log");

    @TempDir
    Path folder;

    @Test
    void startAndStopAreFiledBySyslogUnderAbiquoAimAndFacilityDaemon() throws Exception {
        assertTrue(Files.exists(Path.of("/dev/log")), "no syslog daemon listens on /dev/log: run scripts/setup");
        assertTrue(Files.exists(Path.of("/etc/rsyslog.d/40-abiquo-aim.conf")),
                "the rsyslog rule of scripts/setup.d/00-base.sh is missing: run scripts/setup");
        Path config = SafeConfig.write(folder, "");
        Process process = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Djava.util.logging.manager=org.apache.logging.log4j.jul.LogManager", "-Daim.stderr.level=off",
                "-cp", System.getProperty("java.class.path"), AimMain.class.getName(), "-c", config.toString())
                .redirectErrorStream(true)
                .redirectOutput(folder.resolve("out.txt").toFile())
                .start();
        String tag = "abiquo-aim[" + process.pid() + "]: ";
        try {
            String listening = waitForLine(tag, "listening on 127.0.0.1:");
            assertTrue(listening.contains(tag + "INFO  [main] AimServer - AIM "), listening);
            Tools.Result kill = Tools.run(folder, List.of("kill", "-TERM", String.valueOf(process.pid())));
            assertEquals(0, kill.exitCode(), kill.output());
            assertTrue(process.waitFor(60, TimeUnit.SECONDS));
            assertEquals(0, process.exitValue());
            waitForLine(tag, "AIM stopped cleanly");
            assertEquals("", Files.readString(folder.resolve("out.txt")).strip(),
                    "with aim.stderr.level=off nothing goes to stderr");
        } finally {
            process.destroyForcibly();
        }
    }

    private static String waitForLine(String tag, String text) {
        return FiledLines.waitForLine(FILED, tag, text, Duration.ofSeconds(60));
    }
}
