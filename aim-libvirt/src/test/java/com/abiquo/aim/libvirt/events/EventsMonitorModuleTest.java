package com.abiquo.aim.libvirt.events;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.abiquo.aim.core.config.AimSettings;
import com.abiquo.aim.core.config.ConfigException;
import com.abiquo.aim.core.module.AimModule;
import java.util.List;
import java.util.Map;
import java.util.ServiceLoader;
import org.junit.jupiter.api.Test;

class EventsMonitorModuleTest {
    @Test
    void theServerFindsTheModuleAfterTheLibvirtModule() {
        List<AimModule> modules = ServiceLoader.load(AimModule.class).stream().map(ServiceLoader.Provider::get)
                .toList();
        AimModule events = modules.stream().filter(m -> m instanceof EventsMonitorModule).findFirst()
                .orElseThrow(() -> new AssertionError("EventsMonitorModule is not registered: " + modules));
        assertEquals("events", events.name());
        assertEquals(20, events.startOrder());
        modules.stream().filter(m -> m.name().equals("libvirt"))
                .forEach(libvirt -> assertTrue(libvirt.startOrder() < events.startOrder()));
        assertTrue(events.configSchema().hasKey("monitor", "journalsize"));
        assertTrue(events.configSchema().hasKey("monitor", "subscriberBufferSize"));
    }

    @Test
    void readsItsSettingsWithDefaultsAndPreciseErrors() throws Exception {
        assertEquals(new MonitorConfig(10_000, 1_000), MonitorConfig.from(AimSettings.empty()));
        assertEquals(new MonitorConfig(50_000, 20), MonitorConfig.from(new AimSettings("aim.ini", Map.of("monitor",
                Map.of("journalSize", "50000", "subscriberBufferSize", "20")))));
        ConfigException tooBig = assertThrows(ConfigException.class, () -> MonitorConfig.from(new AimSettings(
                "aim.ini", Map.of("monitor", Map.of("journalSize", "1000", "subscriberBufferSize", "5000")))));
        assertTrue(tooBig.getMessage().contains("subscriberBufferSize"), tooBig.getMessage());
        ConfigException notANumber = assertThrows(ConfigException.class, () -> MonitorConfig.from(new AimSettings(
                "aim.ini", Map.of("monitor", Map.of("journalSize", "lots")))));
        assertTrue(notANumber.getMessage().contains("journalSize"), notANumber.getMessage());
    }
}
