package com.abiquo.aim.libvirt;

import com.abiquo.aim.core.config.AimSettings;
import com.abiquo.aim.core.config.ConfigException;
import com.abiquo.aim.core.config.ConfigKey;
import com.abiquo.aim.core.config.ConfigSchema;
import com.abiquo.aim.libvirt.connection.ConnectionSettings;
import java.net.URISyntaxException;
import java.time.Duration;

/**
 * The libvirt module's settings: [monitor] (connection) and [stats] (metrics). [monitor] redisHost and redisPort
 * (AIM 2.x's Redis publishing) belong to aim-eventbus.
 */
public record LibvirtConfig(ConnectionSettings connection, Duration collectFrequency, Duration refreshFrequency,
                            Duration retention) {
    public static final String MONITOR = "monitor";
    public static final String STATS = "stats";

    public static final ConfigKey URI = new ConfigKey("uri", "qemu:///system",
            "libvirt URI of the hypervisor (qemu:///system, xen:///system, test:///default, remote URIs)");
    public static final ConfigKey KEEP_ALIVE_INTERVAL = new ConfigKey("keepAliveIntervalSeconds", "5",
            "seconds between libvirt keepalive probes; 0 turns keepalive off");
    public static final ConfigKey KEEP_ALIVE_COUNT = new ConfigKey("keepAliveCount", "3",
            "unanswered keepalive probes after which libvirtd counts as gone");
    public static final ConfigKey RECONNECT_MAX_BACKOFF = new ConfigKey("reconnectMaxBackoffSeconds", "30",
            "longest wait between two attempts to reconnect to libvirtd");
    public static final ConfigKey COLLECT_FREQ = new ConfigKey("collectFreqSeconds", "60",
            "seconds between two readings of every domain's CPU, memory, disk and interface counters");
    public static final ConfigKey REFRESH_FREQ = new ConfigKey("refreshFreqSeconds", "30",
            "seconds between two refreshes of the list of domains to measure");
    public static final ConfigKey RETENTION = new ConfigKey("retentionSeconds", "3600",
            "seconds that datapoints are kept for GetDatapoints");
    /** AIM 2.x kept datapoints in an SQLite file; its packaged aim.ini sets this key. */
    public static final ConfigKey DATABASE = ConfigKey.obsolete("database",
            "datapoints are kept in memory for [stats] retentionSeconds");

    public static ConfigSchema schema() {
        return new ConfigSchema()
                .section(MONITOR, URI, KEEP_ALIVE_INTERVAL, KEEP_ALIVE_COUNT, RECONNECT_MAX_BACKOFF)
                .section(STATS, COLLECT_FREQ, REFRESH_FREQ, RETENTION, DATABASE);
    }

    public static LibvirtConfig read(AimSettings settings) throws ConfigException {
        String uri = settings.string(MONITOR, URI.name(), URI.defaultValue()).strip();
        if (uri.isEmpty()) {
            uri = URI.defaultValue();
        }
        checkUriSyntax(settings, uri);
        int interval = settings.integer(MONITOR, KEEP_ALIVE_INTERVAL.name(), 5, 0, 3600);
        int count = settings.integer(MONITOR, KEEP_ALIVE_COUNT.name(), 3, 1, 100);
        int backoff = settings.integer(MONITOR, RECONNECT_MAX_BACKOFF.name(), 30, 1, 3600);
        int collect = settings.integer(STATS, COLLECT_FREQ.name(), 60, 1, 86_400);
        int refresh = settings.integer(STATS, REFRESH_FREQ.name(), 30, 1, 86_400);
        int retention = settings.integer(STATS, RETENTION.name(), 3600, 60, 7 * 86_400);
        return new LibvirtConfig(
                new ConnectionSettings(uri, interval, count, Duration.ofSeconds(backoff)),
                Duration.ofSeconds(collect), Duration.ofSeconds(refresh), Duration.ofSeconds(retention));
    }

    /**
     * A syntax check only (no connection): libvirt refuses a URI without a scheme (driver[+transport]) or one it
     * cannot parse, so --check-config does too.
     */
    private static void checkUriSyntax(AimSettings settings, String uri) throws ConfigException {
        String accepted = "a libvirt URI such as qemu:///system, test:///default or qemu+ssh://user@host/system";
        java.net.URI parsed;
        try {
            parsed = new java.net.URI(uri);
        } catch (URISyntaxException malformed) {
            throw settings.error(MONITOR, URI.name(), uri, accepted + " (" + malformed.getReason() + " at index "
                    + malformed.getIndex() + ")");
        }
        if (parsed.getScheme() == null || !parsed.getScheme().matches("[A-Za-z][A-Za-z0-9]*(\\+[A-Za-z0-9]+)?")) {
            throw settings.error(MONITOR, URI.name(), uri, accepted + " (no driver name before \"://\")");
        }
        if (parsed.isOpaque()) {
            throw settings.error(MONITOR, URI.name(), uri, accepted + " (\"" + parsed.getScheme()
                    + ":\" is not followed by //)");
        }
    }
}
