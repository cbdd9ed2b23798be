package com.abiquo.aim.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.abiquo.aim.core.module.AimModule;
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
import org.junit.jupiter.params.provider.ValueSource;

/** The abiquo-aim command line, as a user types it. */
class CliTest {
    record Outcome(int status, String out, String err) {
    }

    static Outcome run(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int status = AimMain.run(new PrintWriter(out, true), new PrintWriter(err, true), args);
        return new Outcome(status, out.toString(), err.toString());
    }

    @ParameterizedTest
    @ValueSource(strings = {"-h", "--help"})
    void helpListsEveryOptionAndWhereAimIniIsLookedFor(String option) {
        Outcome outcome = run(option);
        assertEquals(0, outcome.status());
        String help = outcome.out().replaceAll("\\s+", " ");
        for (String expected : List.of("Usage: abiquo-aim", "-h, --help", "-v, --version", "-c, --config-file=<file>",
                "-d, --daemon", "-t, --threads=<n>", "(default: 4)", "./aim.ini", "<install folder>/conf/aim.ini",
                "/etc/abiquo-aim/aim.ini")) {
            assertTrue(help.contains(expected), "help lacks \"" + expected + "\":\n" + outcome.out());
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"-v", "--version"})
    void versionPrintsVersionAndTheGitRevisionOfTheBuild(String option) throws Exception {
        Outcome outcome = run(option);
        assertEquals(0, outcome.status());
        assertTrue(outcome.out().contains("abiquo-aim " + System.getProperty("aim.version", "1.0.0-SNAPSHOT")),
                outcome.out());
        assertTrue(outcome.out().matches("(?s).*git revision [0-9a-f]{40}(-dirty)?\\s*"),
                "no git revision recorded at build time: " + outcome.out());
        // the build's commit must be a real commit of this repository (HEAD may have moved since the build)
        Matcher revision = Pattern.compile("git revision ([0-9a-f]{40})").matcher(outcome.out());
        assertTrue(revision.find());
        Tools.Result known = Tools.run(Tools.projectRoot(), List.of("git", "cat-file", "-e",
                revision.group(1) + "^{commit}"));
        assertEquals(0, known.exitCode(), revision.group(1) + " is not a commit here: " + known.output());
    }

    @Test
    void unknownOptionIsAUsageErrorWithExitStatus2() {
        Outcome outcome = run("--bogus");
        assertEquals(2, outcome.status());
        assertTrue(outcome.err().contains("Unknown option: '--bogus'"), outcome.err());
        assertTrue(outcome.err().contains("Usage: abiquo-aim"), outcome.err());
    }

    @Test
    void threadsMustBeAPositiveNumber() {
        Outcome zero = run("-t", "0", "--check-config");
        assertEquals(2, zero.status());
        assertTrue(zero.err().contains("-t/--threads must be from 1 to 1024, not 0"), zero.err());
        Outcome word = run("--threads=many");
        assertEquals(2, word.status());
        assertTrue(word.err().contains("'many' is not an int"), word.err());
    }

    @Test
    void configFileOptionTakesAValue() {
        Outcome outcome = run("-c");
        assertEquals(2, outcome.status());
        assertTrue(outcome.err().contains("Missing required parameter for option '--config-file'"), outcome.err());
    }

    @Test
    void missingConfigFileFailsWithStatus1(@TempDir Path folder) {
        assertEquals(1, run("-c", folder.resolve("absent.ini").toString(), "--check-config").status());
    }

    @Test
    void unknownKeyFailsWithStatus1(@TempDir Path folder) throws Exception {
        Path file = folder.resolve("aim.ini");
        Files.writeString(file, "[server]\nprot = 60606\n");
        assertEquals(1, run("-c", file.toString(), "--check-config").status());
    }

    @Test
    void checkConfigAcceptsAValidFileWithoutStartingAnything(@TempDir Path folder) throws Exception {
        Path file = SafeConfig.write(folder, "");
        Outcome outcome = run("--config-file=" + file, "-t", "2", "--check-config");
        assertEquals(0, outcome.status(), outcome.err());
        assertTrue(outcome.out().contains(file + ": configuration is valid"), outcome.out());
    }

    @Test
    void defaultConfigIsAValidFileThatNamesEveryKey(@TempDir Path folder) throws Exception {
        Outcome outcome = run("--print-default-config");
        assertEquals(0, outcome.status());
        Path file = folder.resolve("aim.ini");
        Files.writeString(file, outcome.out());
        assertEquals(0, run("-c", file.toString(), "--check-config").status());
        com.abiquo.aim.core.config.ConfigSchema schema = ModuleLoader.schema(ModuleLoader.load());
        for (String section : schema.sectionNames()) {
            assertTrue(outcome.out().contains("\n[" + section + "]\n"), section);
            for (com.abiquo.aim.core.config.ConfigKey key : schema.keys(section)) {
                if (key.isObsolete()) {
                    assertTrue(!outcome.out().contains(";" + key.name() + " ="), "obsolete key suggested: " + key);
                    continue;
                }
                String line = ";" + key.name() + " =" + (key.defaultValue().isEmpty() ? "" : " " + key.defaultValue());
                assertTrue(outcome.out().contains("\n" + line + "\n"),
                        key.name() + " missing:\n" + outcome.out());
            }
        }
    }

    @Test
    void configReferenceDocumentsEverySectionOfServerAndModules() {
        Outcome outcome = run("--print-config-reference");
        assertEquals(0, outcome.status());
        assertTrue(outcome.out().contains("### [server]"), outcome.out());
        assertTrue(outcome.out().contains("| `port` | `60606` |"), outcome.out());
        for (AimModule module : ModuleLoader.load()) {
            for (String section : module.configSchema().sectionNames()) {
                assertTrue(outcome.out().contains("### [" + section + "]"), "module " + module.name()
                        + "'s section [" + section + "] is missing:\n" + outcome.out());
            }
        }
    }
}
