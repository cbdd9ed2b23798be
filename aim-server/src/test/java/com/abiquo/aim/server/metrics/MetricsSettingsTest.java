package com.abiquo.aim.server.metrics;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.abiquo.aim.core.config.AimSettingsReader;
import com.abiquo.aim.core.config.ConfigException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.OptionalInt;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** [metrics]: off by default, loopback by default, and precise refusals. */
class MetricsSettingsTest {
    @TempDir
    Path folder;

    private MetricsSettings read(String text) throws Exception {
        Path file = folder.resolve("aim.ini");
        Files.writeString(file, text);
        return MetricsSettings.from(AimSettingsReader.read(file));
    }

    @Test
    void offOnLoopbackByDefault() throws Exception {
        MetricsSettings settings = read("[server]\nport = 0\n");
        assertFalse(settings.enabled());
        assertEquals(new MetricsSettings("127.0.0.1", OptionalInt.empty(), false, true), settings);
        assertEquals(settings, read("[metrics]\nport =\n"), "an empty port is off too");
    }

    @Test
    void portTurnsItOn() throws Exception {
        MetricsSettings settings = read("[metrics]\nport = 9660\naddress = 0.0.0.0\ntls = yes\ngrpcCalls = off\n");
        assertTrue(settings.enabled());
        assertEquals(new MetricsSettings("0.0.0.0", OptionalInt.of(9660), true, false), settings);
    }

    @Test
    void badPortIsRefusedNamingTheKey() {
        ConfigException refused = assertThrows(ConfigException.class, () -> read("[metrics]\nport = 70000\n"));
        assertTrue(refused.getMessage().contains("[metrics] port"), refused.getMessage());
    }
}
