package com.abiquo.aim.core.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

class ConfigSchemaTest {
    @Test
    void keysMatchCaseInsensitivelyAndKeepTheirSpelling() {
        ConfigSchema schema = new ConfigSchema().section("rimp", new ConfigKey("autoBackup", "false", "backup"));
        assertTrue(schema.hasKey("rimp", "autobackup"));
        assertTrue(schema.hasKey("rimp", "AUTOBACKUP"));
        assertFalse(schema.hasKey("rimp", "autoRestore"));
        assertFalse(schema.hasKey("server", "autoBackup"));
        assertEquals("autoBackup", schema.keys("rimp").get(0).name());
    }

    @Test
    void mergeKeepsOrderAndJoinsSectionsDeclaredTwice() {
        ConfigSchema merged = new ConfigSchema().section("server", new ConfigKey("port", "60606", "port"))
                .merge(new ConfigSchema().section("monitor", new ConfigKey("uri", "qemu:///system", "uri"))
                        .section("server", new ConfigKey("address", "0.0.0.0", "address")));
        assertEquals(List.of("server", "monitor"), merged.sectionNames());
        assertEquals(List.of("port", "address"), merged.keys("server").stream().map(ConfigKey::name).toList());
        assertEquals(List.of(), merged.keys("absent"));
    }

    @Test
    void keysNeedANameADefaultAndADescription() {
        assertThrows(NullPointerException.class, () -> new ConfigKey("port", null, "x"));
    }
}
