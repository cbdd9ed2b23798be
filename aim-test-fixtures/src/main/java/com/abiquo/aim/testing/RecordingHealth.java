package com.abiquo.aim.testing;

import com.abiquo.aim.core.module.HealthReporter;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * A fake health reporter (aim-server's health service is not running in a module's tests) that remembers what was
 * reported, as the server's health service would: per service "SERVING" or "NOT_SERVING: " and the reason; and,
 * for a status that lasts only until the next retry, every status reported so far.
 */
public final class RecordingHealth implements HealthReporter {
    public static final String UNKNOWN = "UNKNOWN";

    private final Map<String, String> statuses = new ConcurrentHashMap<>();
    private final Map<String, List<String>> histories = new ConcurrentHashMap<>();
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
        histories.computeIfAbsent(serviceName, name -> new CopyOnWriteArrayList<>()).add(status);
        statuses.put(serviceName, status);
        last = status;
    }

    /** The last status reported for {@code serviceName}, {@value #UNKNOWN} before any. */
    public String status(String serviceName) {
        return statuses.getOrDefault(serviceName, UNKNOWN);
    }

    /** Every status reported for {@code serviceName}, oldest first. */
    public List<String> history(String serviceName) {
        return List.copyOf(histories.getOrDefault(serviceName, List.of()));
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
