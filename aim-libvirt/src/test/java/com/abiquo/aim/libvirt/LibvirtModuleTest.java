package com.abiquo.aim.libvirt;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.abiquo.aim.core.config.AimSettings;
import com.abiquo.aim.core.config.ConfigException;
import com.abiquo.aim.core.module.AimModule;
import com.abiquo.aim.core.module.ModuleContext;
import com.abiquo.aim.core.module.NodeIdentity;
import com.abiquo.aim.core.module.ServiceRegistry;
import com.abiquo.aim.core.spi.StoragePoolOperations;
import com.abiquo.aim.libvirt.connection.DomainEventSource;
import com.abiquo.aim.libvirt.connection.LibvirtAccess;
import com.abiquo.aim.libvirt.connection.LibvirtConnection;
import com.abiquo.aim.testing.RecordingHealth;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.ServiceLoader;
import java.util.concurrent.Executors;
import org.junit.jupiter.api.Test;

class LibvirtModuleTest {
    private static AimSettings settings(Map<String, String> monitor, Map<String, String> stats) {
        return new AimSettings("test.ini", Map.of("monitor", monitor, "stats", stats));
    }

    @Test
    void defaultsMatchTheOriginalAgent() throws Exception {
        LibvirtConfig config = LibvirtConfig.read(AimSettings.empty());
        assertEquals("qemu:///system", config.connection().uri());
        assertEquals(5, config.connection().keepAliveIntervalSeconds());
        assertEquals(3, config.connection().keepAliveCount());
        assertEquals(Duration.ofSeconds(30), config.connection().reconnectMaxBackoff());
        assertEquals(Duration.ofSeconds(60), config.collectFrequency());
        assertEquals(Duration.ofSeconds(30), config.refreshFrequency());
        assertEquals(Duration.ofHours(1), config.retention());
    }

    @Test
    void oldFilesAreReadAsMeant() throws Exception {
        LibvirtConfig config = LibvirtConfig.read(settings(Map.of("uri", "xen+unix:///", "redisHost", "localhost",
                "redisPort", "6379"), Map.of("collectFreqSeconds", "10")));
        assertEquals("xen+unix:///", config.connection().uri());
        assertEquals(Duration.ofSeconds(10), config.collectFrequency());
        // redisHost/redisPort are aim-eventbus's keys now (AIM 2.x's Redis publishing)
        assertFalse(LibvirtConfig.schema().hasKey("monitor", "redishost"));
        assertTrue(LibvirtConfig.schema().hasKey("stats", "retentionSeconds"));
    }

    @Test
    void badNumbersAreRefusedWithTheirKey() {
        ConfigException failure = assertThrows(ConfigException.class, () -> LibvirtConfig.read(
                settings(Map.of("keepAliveIntervalSeconds", "often"), Map.of())));
        assertTrue(failure.getMessage().contains("keepAliveIntervalSeconds"), failure.getMessage());
        assertThrows(ConfigException.class, () -> LibvirtConfig.read(settings(Map.of(),
                Map.of("collectFreqSeconds", "0"))));
    }

    @Test
    void startPublishesTheConnectionAndServesTheLibvirtService() throws Exception {
        AimModule module = ServiceLoader.load(AimModule.class).stream().map(ServiceLoader.Provider::get)
                .filter(candidate -> candidate instanceof LibvirtModule).findFirst().orElseThrow();
        assertEquals(10, module.startOrder());
        RecordingHealth health = new RecordingHealth();
        ServiceRegistry registry = new ServiceRegistry();
        var executor = Executors.newFixedThreadPool(2);
        var scheduler = Executors.newSingleThreadScheduledExecutor();
        try {
            module.start(new ModuleContext(settings(Map.of("uri", "test:///default"), Map.of()), Path.of("."),
                    executor, scheduler, health, registry, new NodeIdentity("node1", "127.0.0.1")));
            assertEquals("SERVING", health.status(LibvirtConnection.SERVICE_NAME));
            assertTrue(registry.lookup(LibvirtAccess.class).orElseThrow().connected());
            assertEquals("test:///default", registry.lookup(LibvirtAccess.class).orElseThrow().uri());
            assertTrue(registry.lookup(DomainEventSource.class).orElseThrow().domainStates().stream()
                    .anyMatch(state -> state.name().equals("test")));
            // The node's pools, over this connection, for aim-storage: the test driver's own pool is there.
            assertTrue(registry.lookup(StoragePoolOperations.class).orElseThrow().listPools().stream()
                    .anyMatch(pool -> pool.name().equals("default-pool")));
            assertEquals("abiquo.aim.v1.LibvirtService",
                    module.services().get(0).bindService().getServiceDescriptor().getName());
        } finally {
            module.stop();
            executor.shutdownNow();
            scheduler.shutdownNow();
        }
        assertTrue(health.status(LibvirtConnection.SERVICE_NAME).startsWith("NOT_SERVING"));
    }

    @Test
    void startDoesNotFailWhenLibvirtdIsAway() throws Exception {
        LibvirtModule module = new LibvirtModule();
        RecordingHealth health = new RecordingHealth();
        ServiceRegistry registry = new ServiceRegistry();
        var executor = Executors.newSingleThreadExecutor();
        var scheduler = Executors.newSingleThreadScheduledExecutor();
        try {
            module.start(new ModuleContext(settings(Map.of("uri", "qemu:///system?socket=/nonexistent/aimtest-sock"),
                    Map.of()), Path.of("."), executor, scheduler, health, registry,
                    new NodeIdentity("node1", "127.0.0.1")));
            assertTrue(health.status(LibvirtConnection.SERVICE_NAME).startsWith("NOT_SERVING"));
            assertTrue(health.status(LibvirtConnection.SERVICE_NAME).contains("/nonexistent/aimtest-sock"),
                    health.status(LibvirtConnection.SERVICE_NAME));
            assertEquals(false, registry.lookup(LibvirtAccess.class).orElseThrow().connected());
        } finally {
            module.stop();
            executor.shutdownNow();
            scheduler.shutdownNow();
        }
    }
}
