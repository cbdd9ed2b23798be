package com.abiquo.aim.server;

import static java.util.Objects.requireNonNull;

import com.abiquo.aim.core.module.HealthReporter;
import io.grpc.health.v1.HealthCheckResponse.ServingStatus;
import io.grpc.protobuf.services.HealthStatusManager;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.Logger;

/**
 * Health statuses of grpc.health.v1, per service and overall (""), over grpc-services' HealthStatusManager. Logs
 * each change once, with the reason a service is down, so the operator sees it in syslog.
 */
final class GrpcHealthReporter implements HealthReporter {
    private static final Logger LOG = LogManager.getLogger(GrpcHealthReporter.class);

    private final HealthStatusManager manager;
    private final Map<String, ServingStatus> statuses = new ConcurrentHashMap<>();

    GrpcHealthReporter(HealthStatusManager manager) {
        this.manager = requireNonNull(manager, "manager is null");
    }

    @Override
    public void serving(String serviceName) {
        requireNonNull(serviceName, "serviceName is null");
        ServingStatus previous = statuses.put(serviceName, ServingStatus.SERVING);
        manager.setStatus(serviceName, ServingStatus.SERVING);
        if (previous == ServingStatus.NOT_SERVING) {
            LOG.info("{} is serving again", serviceName);
        }
    }

    @Override
    public void notServing(String serviceName, String why) {
        requireNonNull(serviceName, "serviceName is null");
        ServingStatus previous = statuses.put(serviceName, ServingStatus.NOT_SERVING);
        manager.setStatus(serviceName, ServingStatus.NOT_SERVING);
        if (previous != ServingStatus.NOT_SERVING) {
            LOG.warn("{} is NOT serving: {}", serviceName, why);
        }
    }

    /** Marks a bound service SERVING unless its module already said otherwise. */
    void servingUnlessReported(String serviceName) {
        if (!statuses.containsKey(serviceName)) {
            serving(serviceName);
        }
    }

    void overall(ServingStatus status) {
        manager.setStatus(HealthStatusManager.SERVICE_NAME_ALL_SERVICES, status);
    }

    void terminate() {
        manager.enterTerminalState();
    }
}
