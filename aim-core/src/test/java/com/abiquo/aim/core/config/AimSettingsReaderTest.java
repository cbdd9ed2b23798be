package com.abiquo.aim.core.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.StringReader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** aim.ini files as the original AIM and its installers wrote them. */
class AimSettingsReaderTest {
    private static AimSettings read(String text) throws ConfigException {
        return AimSettingsReader.read("aim.ini", new StringReader(text));
    }

    @Test
    void readsAnOriginalAimFile() throws Exception {
        AimSettings settings = read("""
                [server]
                port = 60606

                [monitor]
                uri = "xen+unix:///"
                redisHost = 127.0.0.1
                redisPort = 6379

                [rimp]
                repository = /opt/vm_repository
                autoBackup = FALSE
                autoRestore = false
                datastoreValidTypes = ext2,ext3,ext4,nfs,nfs4,xfs,smbfs

                [stats]
                collectFreqSeconds = 60 ; every minute
                """);
        assertEquals(Set.of("server", "monitor", "rimp", "stats"), settings.sectionNames());
        assertEquals(60606, settings.integer("server", "port", 1, 0, 65535));
        assertEquals("xen+unix:///", settings.string("monitor", "uri", ""));
        assertFalse(settings.bool("rimp", "autoBackup", true));
        assertFalse(settings.bool("rimp", "autorestore", true));
        assertEquals(List.of("ext2", "ext3", "ext4", "nfs", "nfs4", "xfs", "smbfs"),
                settings.list("rimp", "datastoreValidTypes", List.of()));
        assertEquals(60, settings.integer("stats", "collectFreqSeconds", 1, 1, 3600));
    }

    @Test
    void cleansQuotesAndInlineCommentsButKeepsWhatBelongsToTheValue() {
        assertEquals("qemu:///system", AimSettingsReader.clean("\"qemu:///system\""));
        assertEquals("qemu:///system", AimSettingsReader.clean("'qemu:///system'  ; the default"));
        assertEquals("60606", AimSettingsReader.clean("60606 ; comment"));
        assertEquals("60606", AimSettingsReader.clean("60606 # comment"));
        assertEquals("a;b", AimSettingsReader.clean("a;b"), "a ';' inside a value is not a comment");
        assertEquals("http://host/#anchor", AimSettingsReader.clean("http://host/#anchor"));
        assertEquals("x ; y", AimSettingsReader.clean("\"x ; y\" ; z"), "a comment sign inside quotes stays");
        assertEquals("C:\\aim\\new", AimSettingsReader.clean("C:\\aim\\new"), "backslashes are kept");
        assertEquals("", AimSettingsReader.clean(null));
        assertEquals("", AimSettingsReader.clean("   "));
        assertEquals("\"unbalanced", AimSettingsReader.clean("\"unbalanced"));
    }

    @Test
    void aKeyOrSectionWrittenTwiceIsRefusedNotSilentlyOverridden() {
        // a second, empty tlsClientCa further down would turn mutual TLS off without a word
        for (String text : List.of("[server]\ntlsClientCa = /etc/ca.pem\nport = 60606\ntlsclientca =\n",
                "[server]\nport = 1\nport = 2\n",
                "[server]\nport = 1\n[rimp]\nautoBackup = yes\n[server]\naddress = 0.0.0.0\n",
                "[server]\nport = 1\n[Server]\naddress = 0.0.0.0\n")) {
            ConfigException refused = assertThrows(ConfigException.class, () -> read(text), text);
            assertTrue(refused.getMessage().startsWith("aim.ini: "), refused.getMessage());
            assertTrue(refused.getMessage().contains("more than once"), refused.getMessage());
        }
        ConfigException key = assertThrows(ConfigException.class,
                () -> read("[server]\ntlsClientCa = /etc/ca.pem\ntlsclientca =\n"));
        assertEquals("aim.ini: [server] key \"tlsclientca\" is set more than once (keys are case-insensitive); set "
                + "each key once", key.getMessage());
    }

    @Test
    void backslashesSurviveTheWholeReader() throws Exception {
        AimSettings settings = read("[monitor]\nuri = qemu+ssh://root@host/system?keyfile=C:\\keys\\node\n");
        assertEquals("qemu+ssh://root@host/system?keyfile=C:\\keys\\node", settings.string("monitor", "uri", ""));
    }

    @Test
    void aValueEndingInABackslashDoesNotSwallowTheNextLine() throws Exception {
        AimSettings settings = read("[rimp]\nrepository = D:\\repo\\\nautoBackup = true\n");
        assertEquals("D:\\repo\\", settings.string("rimp", "repository", ""));
        assertTrue(settings.bool("rimp", "autoBackup", false), "the next line is a key of its own");
    }

    @Test
    void anEmptyValueMeansTheDefault() throws Exception {
        AimSettings settings = read("[rimp]\nautoBackup =\nrepository = \n");
        assertTrue(settings.bool("rimp", "autoBackup", true));
        assertEquals(java.util.Optional.empty(), settings.path("rimp", "repository", Path.of("/etc")));
        assertEquals(Set.of("autobackup", "repository"), settings.keys("rimp"));
    }

    @Test
    void aKeyBeforeAnySectionIsRefused() {
        ConfigException error = assertThrows(ConfigException.class, () -> read("port = 60606\n[server]\n"));
        assertTrue(error.getMessage().startsWith("aim.ini: key \"port\" stands before any [section]"),
                error.getMessage());
    }

    @Test
    void aBrokenSectionHeaderIsRefusedWithTheFileName() {
        ConfigException error = assertThrows(ConfigException.class, () -> read("[server\nport = 1\n"));
        assertTrue(error.getMessage().startsWith("aim.ini: not an INI file"), error.getMessage());
    }

    @Test
    void aMissingFileIsNamed(@TempDir Path folder) {
        Path absent = folder.resolve("aim.ini");
        ConfigException error = assertThrows(ConfigException.class, () -> AimSettingsReader.read(absent));
        assertEquals(absent + ": configuration file not found (or not a regular file)", error.getMessage());
    }

    @Test
    void anEmptyPathAFolderAndABinaryFileAreNamedForWhatTheyAre(@TempDir Path folder) throws Exception {
        assertEquals("no configuration file given (an empty path); name one with -c <file>",
                assertThrows(ConfigException.class, () -> AimSettingsReader.read(Path.of(""))).getMessage());
        assertEquals(folder + ": is a folder, not a configuration file",
                assertThrows(ConfigException.class, () -> AimSettingsReader.read(folder)).getMessage());
        Path binary = Files.write(folder.resolve("aim.ini"), new byte[] {'[', 's', ']', '\n', (byte) 0xff, 0, 1});
        assertEquals(binary + ": cannot be read: not UTF-8 text",
                assertThrows(ConfigException.class, () -> AimSettingsReader.read(binary)).getMessage());
    }

    @Test
    void aFileIsNamedByItsPathInMessages(@TempDir Path folder) throws Exception {
        Path file = folder.resolve("aim.ini");
        Files.writeString(file, "[server]\nport = many\n");
        AimSettings settings = AimSettingsReader.read(file);
        ConfigException error = assertThrows(ConfigException.class,
                () -> settings.integer("server", "port", 60606, 0, 65535));
        assertEquals(file + ": [server] port = \"many\" is invalid: accepted values: a whole number from 0 to 65535",
                error.getMessage());
    }
}
