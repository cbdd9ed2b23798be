package com.abiquo.aim.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * An in-place upgrade keeps the operator's aim.ini: every file the original AIM shipped or documented is accepted,
 * each obsolete key with one warning naming what replaced it. The files are test resources copied verbatim from
 * github.com/abiquo/aim (src/aim.ini at each released version, and the README example of 2.1.3); their revisions
 * are listed in src/test/resources/original-aim/SOURCES.md.
 */
class OriginalAimConfigTest {
    private static final Pattern WARNING = Pattern.compile("WARN +(.*) is obsolete \\(a setting of the original AIM\\)"
            + " and ignored: (.*)");

    @TempDir
    Path folder;

    record Outcome(int status, String out, String log) {
    }

    static Outcome run(String... args) {
        StringWriter out = new StringWriter();
        try (LogCapture log = new LogCapture()) {
            int status = AimMain.run(new PrintWriter(out, true), new PrintWriter(new StringWriter(), true), args);
            return new Outcome(status, out.toString(), log.text());
        }
    }

    private Path original(String name) throws Exception {
        Path file = folder.resolve(name);
        try (var in = getClass().getResourceAsStream("/original-aim/" + name)) {
            Files.copy(in, file);
        }
        return file;
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', textBlock = """
            aim-v1.1.4.ini   | [rimp] datastore, [vlan] ifconfigCmd, [vlan] vconfigCmd, [vlan] brctlCmd
            aim-v1.4.ini     | [rimp] datastore, [vlan] ifconfigCmd, [vlan] vconfigCmd, [vlan] brctlCmd
            aim-v1.4.3.ini   | [vlan] ifconfigCmd, [vlan] vconfigCmd, [vlan] brctlCmd
            aim-v2.0.0.ini   | [vlan] ifconfigCmd, [vlan] brctlCmd
            aim-v2.2.1.ini   | [vlan] ifconfigCmd, [vlan] brctlCmd
            aim-v2.3.0.ini   | ''
            aim-3.10.7.ini   | [stats] database
            readme-2.1.3.ini | [vlan] ifconfigCmd, [vlan] vconfigCmd, [vlan] brctlCmd
            """)
    void everyReleasedFileOfTheOriginalIsAcceptedWithOneWarningPerObsoleteKey(String name, String obsolete)
            throws Exception {
        Path file = original(name);
        Outcome outcome = run("-c", file.toString(), "--check-config");
        assertEquals(0, outcome.status(), outcome.log());
        assertTrue(outcome.out().contains(file + ": configuration is valid"), outcome.out());
        List<String> expected = obsolete.isEmpty() ? List.of() : List.of(obsolete.split(", "));
        List<String> warned = new java.util.ArrayList<>();
        Matcher warning = WARNING.matcher(outcome.log());
        while (warning.find()) {
            warned.add(warning.group(1).substring((file + ": ").length()));
            assertFalse(warning.group(2).isBlank(), "the warning does not say what replaced it: " + warning.group());
        }
        assertEquals(expected, warned, outcome.log());
    }

    @Test
    void obsoleteWarningsNameWhatReplacedEachKey() throws Exception {
        Outcome packaged = run("-c", original("aim-3.10.7.ini").toString(), "--check-config");
        assertTrue(packaged.log().contains("[stats] database is obsolete (a setting of the original AIM) and "
                + "ignored: datapoints are kept in memory for [stats] retentionSeconds"), packaged.log());
        Outcome readme = run("-c", original("readme-2.1.3.ini").toString(), "--check-config");
        assertTrue(readme.log().contains("[vlan] vconfigCmd is obsolete (a setting of the original AIM) and "
                + "ignored: VLANs and bridges are made with iproute2's ip"), readme.log());
    }

    @Test
    void theDaemonizeKeyOfTheOriginalIsAcceptedWithAWarning() throws Exception {
        // [server] daemonize was read by every version with src/ConfigConstants.h (v1.1.4 to v2.2.x)
        Path file = SafeConfig.write(folder, "daemonize = 1\n");
        Outcome outcome = run("-c", file.toString(), "--check-config");
        assertEquals(0, outcome.status(), outcome.log());
        assertTrue(outcome.log().contains("[server] daemonize is obsolete (a setting of the original AIM) and "
                + "ignored: the -d option"), outcome.log());
    }
}
