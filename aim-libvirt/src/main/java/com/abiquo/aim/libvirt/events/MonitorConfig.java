package com.abiquo.aim.libvirt.events;

import com.abiquo.aim.core.config.AimSettings;
import com.abiquo.aim.core.config.ConfigException;
import com.abiquo.aim.core.config.ConfigKey;

/**
 * The EventsMonitor's part of {@code [monitor]}.
 *
 * @param journalSize events kept for resuming subscribers
 * @param subscriberBufferSize events that may wait for one subscriber before its stream is ended
 */
public record MonitorConfig(int journalSize, int subscriberBufferSize) {
    public static final String SECTION = "monitor";
    public static final ConfigKey JOURNAL_SIZE = new ConfigKey("journalSize", "10000",
            "events kept in memory so a subscriber that reconnects with its last sequence number misses nothing");
    public static final ConfigKey SUBSCRIBER_BUFFER_SIZE = new ConfigKey("subscriberBufferSize", "1000",
            "events that may wait for one slow subscriber before its stream ends with RESOURCE_EXHAUSTED");

    public MonitorConfig {
        if (journalSize < 100) {
            throw new IllegalArgumentException("journalSize must be at least 100, got " + journalSize);
        }
        if (subscriberBufferSize < 1 || subscriberBufferSize > journalSize) {
            throw new IllegalArgumentException("subscriberBufferSize must be from 1 to journalSize (" + journalSize
                    + "), got " + subscriberBufferSize);
        }
    }

    public static MonitorConfig defaults() {
        return new MonitorConfig(10_000, 1_000);
    }

    public static MonitorConfig from(AimSettings settings) throws ConfigException {
        int journal = settings.integer(SECTION, JOURNAL_SIZE.name(), 10_000, 100, 10_000_000);
        int buffer = settings.integer(SECTION, SUBSCRIBER_BUFFER_SIZE.name(), Math.min(1_000, journal), 1, journal);
        return new MonitorConfig(journal, buffer);
    }
}
