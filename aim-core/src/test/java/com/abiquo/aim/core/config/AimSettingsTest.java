package com.abiquo.aim.core.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Test;

/** The typed readers: what they accept and how they refuse. */
class AimSettingsTest {
    enum Mode { FAST, SLOW_AND_STEADY }

    private static AimSettings settings(String key, String value) {
        return new AimSettings("test.ini", Map.of("s", Map.of(key, value)));
    }

    @ParameterizedTest
    @ValueSource(strings = {"true", "TRUE", "True", "yes", "YES", "on", "1"})
    void trueWords(String word) throws Exception {
        assertTrue(settings("flag", word).bool("s", "flag", false));
    }

    @ParameterizedTest
    @ValueSource(strings = {"false", "FALSE", "no", "Off", "0"})
    void falseWords(String word) throws Exception {
        assertFalse(settings("flag", word).bool("s", "flag", true));
    }

    @Test
    void anyOtherBooleanIsRefusedWithTheAcceptedWords() {
        ConfigException error = assertThrows(ConfigException.class,
                () -> settings("flag", "enabled").bool("s", "flag", true));
        assertEquals("test.ini: [s] flag = \"enabled\" is invalid: accepted values: true, false, yes, no, on, off, "
                + "1, 0 (any case)", error.getMessage());
    }

    @Test
    void integersAreCheckedAgainstTheirRange() throws Exception {
        assertEquals(7, settings("n", "7").integer("s", "n", 1, 1, 10));
        assertEquals(3, settings("other", "7").integer("s", "n", 3, 1, 10), "absent key: default");
        assertThrows(ConfigException.class, () -> settings("n", "11").integer("s", "n", 1, 1, 10));
        assertThrows(ConfigException.class, () -> settings("n", "1.5").integer("s", "n", 1, 1, 10));
        assertThrows(ConfigException.class, () -> settings("n", "99999999999").integer("s", "n", 1, 1, 10));
        assertEquals(5_000_000_000L, settings("n", "5000000000").longValue("s", "n", 1, 0, Long.MAX_VALUE));
    }

    @Test
    void keysAreCaseInsensitive() throws Exception {
        assertEquals(Optional.of("x"), settings("autoBackup", "x").raw("s", "AUTOBACKUP"));
    }

    @Test
    void listsDropBlanksAndEmptyItems() throws Exception {
        assertEquals(List.of("ext4", "xfs"), settings("types", " ext4 , ,xfs,").list("s", "types", List.of()));
        assertEquals(List.of("d"), settings("types", "  ").list("s", "types", List.of("d")));
    }

    @Test
    void anEmptyValueOrListItemMeansTheDefaultAsInAim10() throws Exception {
        // an aim.ini that AIM 1.0 read must still start after an upgrade
        assertEquals(60606, settings("port", "").integer("s", "port", 60606, 0, 65535));
        assertFalse(settings("tls", "").bool("s", "tls", false));
        assertEquals(TimeUnit.SECONDS, settings("mode", "").enumValue("s", "mode", TimeUnit.class, TimeUnit.SECONDS));
        assertEquals(List.of("a", "b"), settings("datastores", "a,,b,").list("s", "datastores", List.of()));
    }

    @Test
    void aListenAddressMustBeAnIpOrAResolvableName() throws Exception {
        assertEquals("127.0.0.1", settings("address", "127.0.0.1").listenAddress("s", "address", "0.0.0.0"));
        assertEquals("localhost", settings("address", "localhost").listenAddress("s", "address", "0.0.0.0"));
        assertEquals("0.0.0.0", settings("other", "x").listenAddress("s", "address", "0.0.0.0"));
        for (String value : new String[] {"not an address", "", "10.0.0.256", "nohost.invalid"}) {
            ConfigException refused = assertThrows(ConfigException.class,
                    () -> settings("address", value).listenAddress("s", "address", "0.0.0.0"));
            assertTrue(refused.getMessage().startsWith("test.ini: [s] address = \"" + value + "\" is invalid: an IP "
                    + "address or a host name this machine resolves"), refused.getMessage());
        }
    }

    @Test
    void relativePathsResolveAgainstTheBaseFolder() {
        Path base = Path.of("/etc/abiquo-aim");
        assertEquals(Optional.of(Path.of("/etc/run/repository")),
                settings("repository", "../run/repository").path("s", "repository", base));
        assertEquals(Optional.of(Path.of("/opt/vm_repository")),
                settings("repository", "/opt/vm_repository").path("s", "repository", base));
        assertEquals(Optional.empty(), settings("repository", "").path("s", "repository", base));
    }

    @Test
    void enumsAcceptAnyCaseAndDashes() throws Exception {
        assertEquals(Mode.SLOW_AND_STEADY, settings("mode", "slow-and-steady").enumValue("s", "mode", Mode.class,
                Mode.FAST));
        ConfigException error = assertThrows(ConfigException.class,
                () -> settings("mode", "warp").enumValue("s", "mode", Mode.class, Mode.FAST));
        assertEquals("test.ini: [s] mode = \"warp\" is invalid: accepted values: fast, slow_and_steady",
                error.getMessage());
    }

    @Test
    void requiredStringsMustBeThere() {
        ConfigException error = assertThrows(ConfigException.class, () -> settings("x", "").requiredString("s", "x"));
        assertEquals("test.ini: [s] x = \"\" is invalid: a value is required", error.getMessage());
    }
}
