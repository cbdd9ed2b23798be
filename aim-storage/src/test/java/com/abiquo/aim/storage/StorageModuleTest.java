package com.abiquo.aim.storage;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.abiquo.aim.core.config.AimSettings;
import com.abiquo.aim.core.module.AimModule;
import com.abiquo.aim.core.module.ModuleContext;
import com.abiquo.aim.core.module.NodeIdentity;
import com.abiquo.aim.core.module.ServiceRegistry;
import com.abiquo.aim.core.spi.StoragePoolOperations;
import com.abiquo.aim.testing.RecordingHealth;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.ServiceLoader;
import java.util.concurrent.Executors;
import org.junit.jupiter.api.Test;

class StorageModuleTest {
    @Test
    void servicesBeforeStartIsAnEmptyList() {
        assertEquals(List.of(), new StorageModule().services());
    }

    @Test
    void isFoundByServiceLoaderAndServesWithoutLibvirt() throws Exception {
        AimModule module = ServiceLoader.load(AimModule.class).stream().map(ServiceLoader.Provider::get)
                .filter(found -> found instanceof StorageModule).findFirst().orElseThrow();
        RecordingHealth health = new RecordingHealth();
        ServiceRegistry registry = new ServiceRegistry();
        var executor = Executors.newSingleThreadExecutor();
        var scheduler = Executors.newSingleThreadScheduledExecutor();
        try {
            module.start(new ModuleContext(new AimSettings("aim.ini", Map.of("storage",
                    Map.of("initiatorNameFile", "absent/initiatorname.iscsi"))), Path.of("/nonexistent"), executor,
                    scheduler, health, registry, new NodeIdentity("node", "127.0.0.1")));
            // The pools are aim-libvirt's: this module only looks them up.
            assertTrue(registry.lookup(StoragePoolOperations.class).isEmpty());
            assertEquals(Map.of("abiquo.aim.v1.StorageService", "SERVING"), health.statuses());
            assertEquals("abiquo.aim.v1.StorageService",
                    module.services().get(0).bindService().getServiceDescriptor().getName());
        } finally {
            module.stop();
            executor.shutdownNow();
            scheduler.shutdownNow();
        }
    }
}
