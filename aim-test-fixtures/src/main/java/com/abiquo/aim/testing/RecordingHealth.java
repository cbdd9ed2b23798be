package com.abiquo.aim.testing;

import com.abiquo.aim.core.module.HealthReporter;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * A fake health reporter (aim-server's health service is not running in a module's tests) that remembers what was
 * reported, as the server's health service would: per service "SERVING" or "NOT_SERVING: " and the reason.
 */
public final class RecordingHealth implements HealthReporter {
    public static final String UNKNOWN = "UNKNOWN";

    private final Map<String, String> statuses = new ConcurrentHashMap<>();
    private volatile String last = UNKNOWN;

    @Override
    public void serving(String serviceName) {
        record(serviceName, "SERVING");
    }

    @Override
    public void notServing(String serviceName, String why) {
        record(serviceName, "NOT_SERVING: " + why);
    }

    private void record(String serviceName, String status) {
        statuses.put(serviceName, status);
        last = status;
    }

    /** The last status reported for {@code serviceName}, {@value #UNKNOWN} before any. */
    public String status(String serviceName) {
        return statuses.getOrDefault(serviceName, UNKNOWN);
    }

    /** The last status reported for any service: for modules that report one. */
    public String last() {
        return last;
    }

    /** Every service that reported, with its last status. */
    public Map<String, String> statuses() {
        return Map.copyOf(statuses);
    }

    /** Every service's last status, for failure messages. */
    @Override
    public String toString() {
        return statuses.toString();
    }
}
