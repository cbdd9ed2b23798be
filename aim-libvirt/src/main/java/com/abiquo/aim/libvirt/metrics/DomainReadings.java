package com.abiquo.aim.libvirt.metrics;

import java.util.List;
import java.util.Map;

/**
 * The latest collection round: each running domain's name and counters, replaced whole by every round so that a
 * domain that stopped or vanished is gone from the next scrape. Written by the collector's thread, read by scrapes.
 */
public final class DomainReadings {
    /** One running domain's counters of the latest round. */
    public record Reading(String name, String uuid, List<MetricsStore.Sample> samples) {
        public Reading {
            samples = List.copyOf(samples);
        }
    }

    private volatile Map<String, Reading> latest = Map.of();

    void replace(Map<String, Reading> round) {
        latest = Map.copyOf(round);
    }

    /** Nothing is known (libvirtd unreachable): old values must not look current. */
    void clear() {
        latest = Map.of();
    }

    public Map<String, Reading> latest() {
        return latest;
    }
}
