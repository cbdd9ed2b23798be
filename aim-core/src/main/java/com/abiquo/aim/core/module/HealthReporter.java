package com.abiquo.aim.core.module;

/**
 * Sets the status that {@code grpc.health.v1.Health/Check} answers for a service, by its fully qualified name
 * (e.g. "abiquo.aim.v1.LibvirtService"). A service is NOT_SERVING while a dependency it needs is down.
 */
public interface HealthReporter {
    void serving(String serviceName);

    void notServing(String serviceName, String why);
}
