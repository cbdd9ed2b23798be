package com.abiquo.aim.core.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.abiquo.aim.core.config.AimSettings;
import com.abiquo.aim.core.config.ConfigException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;

class StorageConfigTest {
    @Test
    void defaults() throws ConfigException {
        StorageConfig config = StorageConfig.from(AimSettings.empty(), Path.of("/etc/aim"));
        assertEquals(Path.of("/etc/iscsi/initiatorname.iscsi"), config.initiatorNameFile());
        assertEquals(Duration.ofSeconds(30), config.commandTimeout());
        assertTrue(StorageConfig.schema().hasKey("storage", "initiatornamefile"));
        assertTrue(StorageConfig.schema().hasKey("storage", "commandTimeoutSeconds"));
    }

    @Test
    void relativeFileResolvesAgainstTheConfigFolder() throws ConfigException {
        AimSettings settings = new AimSettings("aim.ini", Map.of("storage",
                Map.of("initiatorNameFile", "iscsi/name", "commandTimeoutSeconds", "5")));
        StorageConfig config = StorageConfig.from(settings, Path.of("/opt/aim/conf"));
        assertEquals(Path.of("/opt/aim/conf/iscsi/name"), config.initiatorNameFile());
        assertEquals(Duration.ofSeconds(5), config.commandTimeout());
    }

    @Test
    void refusesATimeoutOutOfRange() {
        AimSettings settings = new AimSettings("aim.ini", Map.of("storage", Map.of("commandTimeoutSeconds", "0")));
        ConfigException failure = assertThrows(ConfigException.class,
                () -> StorageConfig.from(settings, Path.of("/")));
        assertTrue(failure.getMessage().contains("commandTimeoutSeconds"), failure.getMessage());
    }
}
