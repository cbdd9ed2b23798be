package com.abiquo.aim.libvirt.connection;

import static java.util.Objects.requireNonNull;

import java.time.Duration;

/**
 * How to reach libvirtd and keep the connection alive ([monitor] section).
 *
 * @param uri libvirt URI, e.g. qemu:///system or test:///default
 * @param keepAliveIntervalSeconds seconds between keepalive probes; 0 disables keepalive
 * @param keepAliveCount unanswered probes after which the connection counts as dead
 * @param reconnectMaxBackoff longest wait between two reconnection attempts
 */
public record ConnectionSettings(String uri, int keepAliveIntervalSeconds, int keepAliveCount,
                                 Duration reconnectMaxBackoff) {
    public ConnectionSettings {
        requireNonNull(uri, "uri is null");
        requireNonNull(reconnectMaxBackoff, "reconnectMaxBackoff is null");
    }

    /** Settings for tests and defaults: keepalive 5 s x 3, reconnect backoff up to 30 s. */
    public static ConnectionSettings of(String uri) {
        return new ConnectionSettings(uri, 5, 3, Duration.ofSeconds(30));
    }
}
