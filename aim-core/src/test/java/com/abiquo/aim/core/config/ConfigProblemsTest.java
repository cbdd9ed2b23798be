package com.abiquo.aim.core.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.StringReader;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** A reader that stops at its first bad value still gets every bad value of the file reported, in file order. */
class ConfigProblemsTest {
    private static AimSettings read(String text) throws ConfigException {
        return AimSettingsReader.read("aim.ini", new StringReader(text));
    }

    /** Reads like a module does: one value after the other, throwing at the first bad one. */
    private static int readAll(AimSettings settings) throws ConfigException {
        int port = settings.integer("server", "port", 1, 0, 65535);
        boolean reflection = settings.bool("server", "reflection", true);
        int threads = settings.integer("server", "threads", 4, 1, 64);
        return port + (reflection ? 1 : 0) + threads;
    }

    @Test
    void everyBadValueIsFoundAndListedInFileOrder() throws Exception {
        AimSettings settings = read("[server]\nThreads = 0\nport = 60606\nREFLECTION = maybe\n");
        ConfigProblems problems = new ConfigProblems(settings);
        assertEquals(Optional.empty(), problems.collect(ConfigProblemsTest::readAll));
        assertEquals(List.of(
                "aim.ini: [server] Threads = \"0\" is invalid: accepted values: a whole number from 1 to 64",
                "aim.ini: [server] REFLECTION = \"maybe\" is invalid: accepted values: true, false, yes, no, on, off, "
                        + "1, 0 (any case)"), problems.messages());
        ConfigException all = assertThrows(ConfigException.class, problems::throwIfAny);
        assertTrue(all.getMessage().startsWith("aim.ini: 2 problems, in file order:\naim.ini: [server] Threads"),
                all.getMessage());
    }

    @Test
    void aGoodFileIsReadOnceAndNothingIsThrown() throws Exception {
        ConfigProblems problems = new ConfigProblems(read("[server]\nport = 2\n"));
        assertEquals(Optional.of(2 + 1 + 4), problems.collect(ConfigProblemsTest::readAll));
        problems.throwIfAny();
    }

    @Test
    void aProblemThatOnlyFollowsFromADroppedKeyIsNotReported() throws Exception {
        AimSettings settings = read("[server]\ncert = bad\nkey = k\n");
        ConfigProblems problems = new ConfigProblems(settings);
        problems.collect(current -> {
            if ("bad".equals(current.string("server", "cert", ""))) {
                throw current.error("server", "cert", "bad", "a certificate");
            }
            if (current.raw("server", "cert").isEmpty()) {
                throw new ConfigException("aim.ini: [server] key needs cert"); // a consequence of the drop
            }
            return current;
        });
        assertEquals(List.of("aim.ini: [server] cert = \"bad\" is invalid: a certificate"), problems.messages());
    }

    @Test
    void aProblemOfNoKeyIsReportedWhenItIsTheFirst() throws Exception {
        ConfigProblems problems = new ConfigProblems(read("[server]\n"));
        problems.collect(current -> {
            throw new ConfigException("aim.ini: [server] tlsKey is missing");
        });
        ConfigException single = assertThrows(ConfigException.class, problems::throwIfAny);
        assertEquals("aim.ini: [server] tlsKey is missing", single.getMessage());
    }

    @Test
    void settingsKeepTheFileSpellingAndOrder() throws Exception {
        AimSettings settings = read("[rimp]\nAutoBackup = yes\n[server]\nPort = 1\naddress = x\n");
        assertEquals("AutoBackup", settings.spelling("rimp", "autobackup"));
        assertEquals("Port", settings.spelling("server", "PORT"));
        assertEquals(List.of("rimp", "server"), List.copyOf(settings.sectionNames()));
        assertTrue(settings.position("rimp", "autoBackup") < settings.position("server", null));
        assertTrue(settings.position("server", "port") < settings.position("server", "address"));
        assertEquals(Integer.MAX_VALUE, settings.position("server", "absent"));
        assertEquals(Optional.empty(), settings.without("server", "PORT").raw("server", "port"));
        assertEquals("Port", settings.error("server", "port", "1", "x").key().orElseThrow());
    }
}
