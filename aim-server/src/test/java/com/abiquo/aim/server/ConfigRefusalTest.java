package com.abiquo.aim.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * A refused aim.ini names every unknown key and bad value at once, in file order and as the file spells them, both
 * for --check-config and for a real start: one edit fixes the file.
 */
class ConfigRefusalTest {
    @TempDir
    Path folder;

    private Path writeWithEveryKindOfMistake() throws Exception {
        Path file = SafeConfig.write(folder, "Prot = 60607\nReflection = maybe\n");
        String text = Files.readString(file)
                .replace("port = 0 ; any free port", "PORT = sixty")
                .replace("[rimp]\n", "[rimp]\nAutoBakup = true\nuploadMaxBytes = -5\n")
                .replace("[vlan]\n", "[vlan]\ncommandTimeoutSeconds = forever\n")
                + "\n[statz]\ncollectFreqSeconds = 0\n\n[stats]\ncollectFreqSeconds = 0\nretentionSeconds = 1\n";
        Files.writeString(file, text);
        return file;
    }

    /** The mistakes of the file above, in the order they stand in it. */
    private static List<String> expectedProblems(Path file) {
        return List.of(
                file + ": [server] PORT = \"sixty\" is invalid: accepted values: a whole number from 0 to 65535",
                file + ": [server] unknown key \"Prot\"; accepted keys in [server]: address, port, tlsCertificate, "
                        + "tlsKey, tlsClientCa, shutdownGraceSeconds, reflection",
                file + ": [server] Reflection = \"maybe\" is invalid: accepted values: true, false, yes, no, on, off, "
                        + "1, 0 (any case)",
                file + ": [rimp] unknown key \"AutoBakup\"; accepted keys in [rimp]: repository, autoBackup, "
                        + "autoRestore, datastoreValidTypes, datastores, uploadMaxBytes",
                file + ": [rimp] uploadMaxBytes = \"-5\" is invalid: accepted values: a whole number from 1 to "
                        + Long.MAX_VALUE,
                file + ": [vlan] commandTimeoutSeconds = \"forever\" is invalid: accepted values: a whole number "
                        + "from 1 to 3600",
                file + ": unknown section [statz]; accepted sections: [server], ",
                file + ": [stats] collectFreqSeconds = \"0\" is invalid: accepted values: a whole number from 1 to "
                        + "86400",
                file + ": [stats] retentionSeconds = \"1\" is invalid: accepted values: a whole number from 60 to "
                        + "604800");
    }

    @ParameterizedTest(name = "check-config: {0}")
    @ValueSource(booleans = {true, false})
    void everyProblemOfTheFileIsListedOnceInFileOrder(boolean checkOnly) throws Exception {
        Path file = writeWithEveryKindOfMistake();
        OriginalAimConfigTest.Outcome outcome = checkOnly
                ? OriginalAimConfigTest.run("-c", file.toString(), "--check-config")
                : OriginalAimConfigTest.run("-c", file.toString(), "-t", "1");
        assertEquals(1, outcome.status(), outcome.log());
        String log = outcome.log();
        assertTrue(log.contains("configuration refused: " + file + ": 9 problems, in file order:\n"), log);
        int from = 0;
        for (String problem : expectedProblems(file)) {
            int at = log.indexOf(problem, from);
            assertTrue(at >= 0, "missing, or out of file order: " + problem + "\n" + log);
            assertEquals(at, log.indexOf(problem), "listed twice: " + problem);
            from = at + problem.length();
        }
        assertFalse(log.contains("\tat "), "a configuration problem is no crash: no stack trace\n" + log);
        assertFalse(log.contains("listening on"), log);
    }

    @Test
    void aSingleProblemIsOneLineNamingTheKeyAsTheFileSpellsIt() throws Exception {
        Path file = folder.resolve("aim.ini");
        Files.writeString(file, "[rimp]\nAutoBackup = maybe\n");
        OriginalAimConfigTest.Outcome outcome = OriginalAimConfigTest.run("-c", file.toString(), "--check-config");
        assertEquals(1, outcome.status());
        assertTrue(outcome.log().contains("configuration refused: " + file + ": [rimp] AutoBackup = \"maybe\" is "
                + "invalid: accepted values: true, false"), outcome.log());
    }

    /**
     * What the start refuses, --check-config refuses too (it runs the same reading): an address that does not
     * resolve, /metrics on the gRPC port, a malformed libvirt URI or Redis host.
     */
    @ParameterizedTest(name = "check-config: {0}")
    @ValueSource(booleans = {true, false})
    void whatTheStartWouldRefuseIsRefusedByTheCheckToo(boolean checkOnly) throws Exception {
        Path file = SafeConfig.write(folder, "");
        String text = Files.readString(file)
                .replace("address = 127.0.0.1\nport = 0 ; any free port\n",
                        "address = not an address\nport = 60999\n")
                .replace("uri = test:///default", "uri = garbage")
                + "\n[metrics]\naddress = 0.0.0.0\nport = 60999\n\n[eventbus]\nurl = redis://bad host;x:6379\n";
        Files.writeString(file, text.replace("[monitor]\n", "[monitor]\nredisHost = bad host;x\n"));
        OriginalAimConfigTest.Outcome outcome = checkOnly
                ? OriginalAimConfigTest.run("-c", file.toString(), "--check-config")
                : OriginalAimConfigTest.run("-c", file.toString(), "-t", "1");
        assertEquals(1, outcome.status(), outcome.log());
        for (String problem : List.of(
                "[server] address = \"not an address\" is invalid: an IP address or a host name this machine "
                        + "resolves",
                "[monitor] redisHost = \"bad host;x\" is invalid: a host name or IP address",
                "[monitor] uri = \"garbage\" is invalid: a libvirt URI such as qemu:///system",
                "[eventbus] url is not usable: the host \"bad host;x\" is not a host name or IP address")) {
            assertTrue(outcome.log().contains(problem), "missing: " + problem + "\n" + outcome.log());
        }
        assertFalse(outcome.log().contains("listening on"), outcome.log());
    }

    @Test
    void metricsOnTheServersPortOfAnOverlappingAddressIsRefused() throws Exception {
        Path file = SafeConfig.write(folder, "");
        Files.writeString(file, Files.readString(file).replace("port = 0 ; any free port", "port = 60998")
                + "\n[metrics]\naddress = 0.0.0.0\nport = 60998\n");
        OriginalAimConfigTest.Outcome outcome = OriginalAimConfigTest.run("-c", file.toString(), "--check-config");
        assertEquals(1, outcome.status(), outcome.log());
        assertTrue(outcome.log().contains("[metrics] port = \"60998\" is invalid: [server] listens on port 60998 at "
                + "127.0.0.1 already; give /metrics a port of its own"), outcome.log());
    }

    @Test
    void metricsOverHttpsWithoutTheServersCertificateIsRefused() throws Exception {
        Path file = SafeConfig.write(folder, "");
        Files.writeString(file, Files.readString(file) + "\n[metrics]\nport = 0\ntls = true\n");
        OriginalAimConfigTest.Outcome outcome = OriginalAimConfigTest.run("-c", file.toString(), "--check-config");
        assertEquals(1, outcome.status(), outcome.log());
        assertTrue(outcome.log().contains("[metrics] tls = \"true\" is invalid: true needs [server] tlsCertificate "
                + "and tlsKey"), outcome.log());
    }

    @Test
    void anEmptyConfigPathAndABinaryFileAreNamedForWhatTheyAre() throws Exception {
        OriginalAimConfigTest.Outcome empty = OriginalAimConfigTest.run("-c", "", "--check-config");
        assertEquals(1, empty.status(), empty.log());
        assertTrue(empty.log().contains("configuration refused: no configuration file given (an empty path); name "
                + "one with -c <file>"), empty.log());
        Path binary = Files.write(folder.resolve("aim.ini"), new byte[] {(byte) 0x89, 'P', 'N', 'G', 0, 1, 2});
        OriginalAimConfigTest.Outcome outcome = OriginalAimConfigTest.run("-c", binary.toString(), "--check-config");
        assertEquals(1, outcome.status(), outcome.log());
        assertTrue(outcome.log().contains("configuration refused: " + binary + ": cannot be read: not UTF-8 text"),
                outcome.log());
    }
}
