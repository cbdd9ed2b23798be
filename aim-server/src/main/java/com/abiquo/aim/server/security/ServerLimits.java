package com.abiquo.aim.server.security;

import com.abiquo.aim.core.config.AimSettings;
import com.abiquo.aim.core.config.ConfigException;
import com.abiquo.aim.core.config.ConfigKey;
import com.abiquo.aim.core.config.ConfigSchema;

/**
 * The {@code [limits]} section: what one client may take of the server. Message sizes per method (see
 * {@link MessageSizeLimits}), calls at once per connection, and the keepalive policy.
 *
 * @param maxMessageBytes largest request message of every method but the large ones
 * @param maxLargeMessageBytes largest request message of Upload (a chunk) and DefineDomain (the XML)
 * @param maxConcurrentCallsPerConnection calls (streams included) one connection may have open at once
 * @param permitKeepAliveSeconds shortest interval between a client's keepalive pings; faster ones end the
 *     connection (ENHANCE_YOUR_CALM)
 * @param maxConnectionIdleSeconds a connection without any call for this long is closed gracefully; 0 = never
 */
public record ServerLimits(
        int maxMessageBytes,
        int maxLargeMessageBytes,
        int maxConcurrentCallsPerConnection,
        int permitKeepAliveSeconds,
        int maxConnectionIdleSeconds) {
    public static final String SECTION = "limits";
    private static final int MIB = 1 << 20;
    /**
     * Upload chunks and DefineDomain: 16 MiB, above DefineDomain's own 1 MiB XML limit, so that an oversized XML gets
     * the INVALID_ARGUMENT its proto promises rather than RESOURCE_EXHAUSTED.
     */
    public static final int DEFAULT_MAX_LARGE_MESSAGE_BYTES = 16 * MIB;

    public static ServerLimits defaults() {
        return new ServerLimits(MIB, DEFAULT_MAX_LARGE_MESSAGE_BYTES, 128, 10, 3600);
    }

    public static ConfigSchema schema() {
        ServerLimits defaults = defaults();
        return new ConfigSchema().section(SECTION,
                new ConfigKey("maxMessageBytes", String.valueOf(defaults.maxMessageBytes),
                        "largest request message, in bytes, of every method but Upload and DefineDomain; a larger one "
                                + "is refused with RESOURCE_EXHAUSTED"),
                new ConfigKey("maxLargeMessageBytes", String.valueOf(defaults.maxLargeMessageBytes),
                        "largest request message, in bytes, of Upload (one chunk) and DefineDomain (the domain XML)"),
                new ConfigKey("maxConcurrentCallsPerConnection",
                        String.valueOf(defaults.maxConcurrentCallsPerConnection),
                        "calls (event streams included) one client connection may have open at once; more wait"),
                new ConfigKey("permitKeepAliveSeconds", String.valueOf(defaults.permitKeepAliveSeconds),
                        "shortest interval in seconds between a client's keepalive pings (also without calls); a "
                                + "client that pings faster is disconnected"),
                new ConfigKey("maxConnectionIdleSeconds", String.valueOf(defaults.maxConnectionIdleSeconds),
                        "a connection without any call for this many seconds is closed gracefully (clients "
                                + "reconnect on their next call); 0 = never"));
    }

    public static ServerLimits from(AimSettings settings) throws ConfigException {
        ServerLimits defaults = defaults();
        int max = 1 << 30;
        ServerLimits limits = new ServerLimits(
                settings.integer(SECTION, "maxMessageBytes", defaults.maxMessageBytes, 1024, max),
                settings.integer(SECTION, "maxLargeMessageBytes", defaults.maxLargeMessageBytes, 1024, max),
                settings.integer(SECTION, "maxConcurrentCallsPerConnection", defaults.maxConcurrentCallsPerConnection,
                        1, 100_000),
                settings.integer(SECTION, "permitKeepAliveSeconds", defaults.permitKeepAliveSeconds, 1, 86_400),
                settings.integer(SECTION, "maxConnectionIdleSeconds", defaults.maxConnectionIdleSeconds, 0,
                        30 * 86_400));
        if (limits.maxLargeMessageBytes < limits.maxMessageBytes) {
            throw new ConfigException(settings.source() + ": [" + SECTION + "] maxLargeMessageBytes ("
                    + limits.maxLargeMessageBytes + ") cannot be below maxMessageBytes (" + limits.maxMessageBytes
                    + ")");
        }
        return limits;
    }
}
