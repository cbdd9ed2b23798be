package com.abiquo.aim.network;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.abiquo.aim.core.config.AimSettings;
import com.abiquo.aim.core.config.ConfigException;
import com.abiquo.aim.core.module.AimModule;
import com.abiquo.aim.core.module.ModuleContext;
import com.abiquo.aim.core.module.NodeIdentity;
import com.abiquo.aim.core.module.ServiceRegistry;
import com.abiquo.aim.testing.RecordingHealth;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.ServiceLoader;
import java.util.concurrent.Executors;
import org.junit.jupiter.api.Test;

class NetworkModuleTest {
    @Test
    void isFoundByServiceLoaderAndDeclaresTheSharedKeys() {
        List<AimModule> modules = ServiceLoader.load(AimModule.class).stream().map(ServiceLoader.Provider::get)
                .toList();
        assertEquals(1, modules.size());
        AimModule module = modules.get(0);
        assertEquals("network", module.name());
        for (String key : List.of("networkScripts", "namespace", "useIfup", "restoreOnStart",
                "commandTimeoutSeconds", "persistence", "keyfileFolder", "osRelease", "nmcli", "migrateIfcfg")) {
            assertTrue(module.configSchema().hasKey("vlan", key), key);
        }
    }

    @Test
    void defaultsAreTheOriginals() throws ConfigException {
        VlanConfig config = VlanConfig.from(AimSettings.empty(), Path.of("/etc/abiquo-aim"));
        assertEquals(new VlanConfig(Path.of("/etc/sysconfig/network-scripts"), Optional.empty(), false, true,
                Duration.ofSeconds(30), PersistenceChoice.Format.AUTO,
                Path.of("/etc/NetworkManager/system-connections"), Path.of("/etc/os-release"), "nmcli", true), config);
    }

    @Test
    void readsWhatAUserWrites() throws ConfigException {
        VlanConfig config = VlanConfig.from(settings(Map.of("networkScripts", "run/network-scripts",
                "namespace", "aim-dev", "useIfup", "YES", "restoreOnStart", "FALSE", "commandTimeoutSeconds", "5",
                "persistence", "IFCFG", "keyfileFolder", "run/system-connections", "osRelease", "run/os-release",
                "nmcli", "", "migrateIfcfg", "false")), Path.of("/opt/aim/conf"));
        assertEquals(new VlanConfig(Path.of("/opt/aim/conf/run/network-scripts"), Optional.of("aim-dev"), true, false,
                Duration.ofSeconds(5), PersistenceChoice.Format.IFCFG, Path.of("/opt/aim/conf/run/system-connections"),
                Path.of("/opt/aim/conf/run/os-release"), "", false), config);
        assertEquals(PersistenceChoice.Format.KEYFILE, VlanConfig.from(settings(Map.of("persistence", "keyfile")),
                Path.of("/")).persistence());
    }

    @Test
    void refusesBadValuesNamingTheKey() {
        ConfigException namespace = assertThrows(ConfigException.class, () -> VlanConfig.from(settings(
                Map.of("namespace", "../etc")), Path.of("/")));
        assertTrue(namespace.getMessage().contains("[vlan] namespace = \"../etc\""), namespace.getMessage());
        ConfigException timeout = assertThrows(ConfigException.class, () -> VlanConfig.from(settings(
                Map.of("commandTimeoutSeconds", "0")), Path.of("/")));
        assertTrue(timeout.getMessage().contains("commandTimeoutSeconds"), timeout.getMessage());
        ConfigException persistence = assertThrows(ConfigException.class, () -> VlanConfig.from(settings(
                Map.of("persistence", "networkd")), Path.of("/")));
        assertTrue(persistence.getMessage().contains("[vlan] persistence = \"networkd\""), persistence.getMessage());
        ConfigException ifupWithKeyfiles = assertThrows(ConfigException.class, () -> VlanConfig.from(settings(
                Map.of("persistence", "keyfile", "useIfup", "true")), Path.of("/")));
        assertTrue(ifupWithKeyfiles.getMessage().contains("ifup/ifdown read ifcfg files"),
                ifupWithKeyfiles.getMessage());
    }

    @Test
    void startsWithoutItsNamespaceAndReportsNotServing() throws ConfigException {
        RecordingHealth health = new RecordingHealth();
        NetworkModule module = new NetworkModule();
        module.start(new ModuleContext(settings(Map.of("namespace", "aimnet-never-" + ProcessHandle.current().pid(),
                "networkScripts", "/nonexistent")), Path.of("/"), Executors.newSingleThreadExecutor(),
                Executors.newSingleThreadScheduledExecutor(), health, new ServiceRegistry(),
                new NodeIdentity("node", "127.0.0.1")));
        assertTrue(health.last().startsWith("NOT_SERVING") && health.last().contains("aimnet-never-"),
                health.last());
        assertEquals("abiquo.aim.v1.VlanService", module.services().get(0).bindService().getServiceDescriptor()
                .getName());
        module.stop();
    }

    private static AimSettings settings(Map<String, String> vlan) {
        return new AimSettings("test.ini", Map.of("vlan", vlan));
    }
}
