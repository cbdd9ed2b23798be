package com.abiquo.aim.libvirt.connection;

import com.abiquo.aim.core.module.HealthReporter;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/** A health reporter that remembers the last status per service, for assertions. */
public final class RecordingHealth implements HealthReporter {
    private final Map<String, String> statuses = new ConcurrentHashMap<>();

    @Override
    public void serving(String serviceName) {
        statuses.put(serviceName, "SERVING");
    }

    @Override
    public void notServing(String serviceName, String why) {
        statuses.put(serviceName, "NOT_SERVING: " + why);
    }

    public String status(String serviceName) {
        return statuses.getOrDefault(serviceName, "UNKNOWN");
    }
}
