package com.abiquo.aim.core.module;

import com.abiquo.aim.core.config.AimSettings;
import java.nio.file.Path;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.ScheduledExecutorService;

/**
 * What the server gives every module at start-up.
 *
 * @param settings the parsed aim.ini (or built-in defaults)
 * @param configFolder folder of the config file; relative paths in settings resolve against it
 * @param requestExecutor the bounded pool (size -t/--threads) that runs blocking work of requests
 * @param scheduler shared timer for periodic work (metrics, reconnects); tasks must be short
 * @param health sets the per-service health status (grpc.health.v1)
 * @param registry shared interfaces between modules (e.g. StoragePoolOperations, EventFeed)
 * @param node who this node is, for events and responses
 */
public record ModuleContext(
        AimSettings settings,
        Path configFolder,
        ExecutorService requestExecutor,
        ScheduledExecutorService scheduler,
        HealthReporter health,
        ServiceRegistry registry,
        NodeIdentity node) {
}
