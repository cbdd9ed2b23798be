package com.abiquo.aim.server;

import com.abiquo.aim.core.config.ConfigSchema;
import com.abiquo.aim.core.module.AimModule;
import com.abiquo.aim.server.metrics.MetricsSettings;
import com.abiquo.aim.server.security.AuthorizationSettings;
import com.abiquo.aim.server.security.ServerLimits;
import java.util.Comparator;
import java.util.List;
import java.util.ServiceLoader;

/** Finds the service modules on the class path (META-INF/services) in start order. */
final class ModuleLoader {
    private ModuleLoader() {
    }

    static List<AimModule> load() {
        return ServiceLoader.load(AimModule.class).stream()
                .map(ServiceLoader.Provider::get)
                .sorted(Comparator.comparingInt(AimModule::startOrder).thenComparing(AimModule::name))
                .toList();
    }

    /**
     * What aim.ini may contain: the server's own [server], [authorization], [limits] and [metrics] sections plus
     * every module's sections.
     */
    static ConfigSchema schema(List<AimModule> modules) {
        ConfigSchema schema = ServerSettings.schema();
        schema.merge(AuthorizationSettings.schema());
        schema.merge(ServerLimits.schema());
        schema.merge(MetricsSettings.schema());
        for (AimModule module : modules) {
            schema.merge(module.configSchema());
        }
        return schema;
    }
}
