package com.abiquo.aim.eventbus;

import static java.util.Objects.requireNonNull;

import com.abiquo.aim.core.config.AimSettings;
import com.abiquo.aim.core.config.ConfigException;
import com.abiquo.aim.core.config.ConfigKey;
import com.abiquo.aim.core.config.ConfigSchema;
import com.abiquo.aim.core.config.HostNames;
import com.abiquo.aim.eventbus.redis.RedisEndpoint;
import java.nio.file.Path;
import java.util.Optional;

/**
 * {@code [eventbus]} (Redis Streams) and the legacy {@code [monitor] redisHost/redisPort} (AIM 2.x's PUBLISH).
 *
 * @param stream empty: the bus is off
 * @param legacy empty: AIM 2.x publishing is off
 */
public record EventBusConfig(Optional<StreamSettings> stream, Optional<RedisEndpoint> legacy) {
    public static final String SECTION = "eventbus";
    public static final String MONITOR = "monitor";
    public static final String HOSTNAME_PLACEHOLDER = "<hostname>";
    public static final long DEFAULT_MAX_LENGTH = 1_000_000;

    public static final ConfigKey URL = new ConfigKey("url", "",
            "Redis to publish every journaled event to, one stream per node: redis://[[user]:password@]host:port[/db]"
                    + " or rediss:// (TLS); percent-encode / # ? @ in a password; empty turns the event bus off");
    public static final ConfigKey TLS_CA = new ConfigKey("tlsCa", "",
            "with rediss://: CA bundle (PEM) that signs the Redis server's certificate; empty: the JVM's trust store");
    public static final ConfigKey STREAM = new ConfigKey("stream", "aim:events:" + HOSTNAME_PLACEHOLDER,
            "the stream key; " + HOSTNAME_PLACEHOLDER + " is replaced by this node's host name");
    public static final ConfigKey MAX_LENGTH = new ConfigKey("maxLength", Long.toString(DEFAULT_MAX_LENGTH),
            "entries the stream keeps (approximate trimming, XADD MAXLEN ~)");
    public static final ConfigKey REDIS_HOST = new ConfigKey("redisHost", "",
            "legacy AIM 2.x publishing: Redis host to PUBLISH EventingChannel <name>|<EVENT>|<address> to, for an "
                    + "Abiquo controller; empty: off");
    public static final ConfigKey REDIS_PORT = new ConfigKey("redisPort", "6379",
            "legacy AIM 2.x publishing: that Redis server's port");

    /** The Redis Streams bus. */
    public record StreamSettings(RedisEndpoint endpoint, String key, long maxLength) {
        public StreamSettings {
            requireNonNull(endpoint, "endpoint is null");
            requireNonNull(key, "key is null");
        }
    }

    public static ConfigSchema schema() {
        return new ConfigSchema()
                .section(SECTION, URL, TLS_CA, STREAM, MAX_LENGTH)
                .section(MONITOR, REDIS_HOST, REDIS_PORT);
    }

    public static EventBusConfig read(AimSettings settings, Path configFolder, String hostname)
            throws ConfigException {
        return new EventBusConfig(readStream(settings, configFolder, hostname), readLegacy(settings));
    }

    private static Optional<StreamSettings> readStream(AimSettings settings, Path configFolder, String hostname)
            throws ConfigException {
        String url = settings.string(SECTION, URL.name(), "").strip();
        Optional<Path> tlsCa = settings.path(SECTION, TLS_CA.name(), configFolder);
        long maxLength = settings.longValue(SECTION, MAX_LENGTH.name(), DEFAULT_MAX_LENGTH, 1, Long.MAX_VALUE);
        String key = settings.string(SECTION, STREAM.name(), STREAM.defaultValue()).strip();
        if (url.isEmpty()) {
            return Optional.empty();
        }
        RedisEndpoint endpoint;
        try {
            endpoint = RedisEndpoint.parse(url, tlsCa.orElse(null));
        } catch (IllegalArgumentException bad) {
            // never echo the URL: it may hold the password
            throw new ConfigException(settings.source() + ": [" + SECTION + "] " + URL.name() + " is not usable: "
                    + bad.getMessage(), SECTION, URL.name());
        }
        key = key.replace(HOSTNAME_PLACEHOLDER, hostname == null || hostname.isBlank() ? "unknown" : hostname);
        if (key.isEmpty()) {
            throw settings.error(SECTION, STREAM.name(), key, "a Redis key (default aim:events:<hostname>)");
        }
        return Optional.of(new StreamSettings(endpoint, key, maxLength));
    }

    private static Optional<RedisEndpoint> readLegacy(AimSettings settings) throws ConfigException {
        String host = settings.string(MONITOR, REDIS_HOST.name(), "").strip();
        int port = settings.integer(MONITOR, REDIS_PORT.name(), RedisEndpoint.DEFAULT_PORT, 1, 65_535);
        if (host.isEmpty()) {
            return Optional.empty();
        }
        if (host.contains("@") || host.contains("://")) {
            // never echoed: it may hold a login, which AIM 2.x publishing does not have
            throw new ConfigException(settings.source() + ": [" + MONITOR + "] " + REDIS_HOST.name() + " is not a "
                    + "host name: it holds a URL or a login (AIM 2.x publishing logs in to no Redis; for a Redis with "
                    + "a password use [eventbus] url)", MONITOR, REDIS_HOST.name());
        }
        if (!HostNames.isValid(host)) {
            throw settings.error(MONITOR, REDIS_HOST.name(), host, "a host name or IP address");
        }
        return Optional.of(RedisEndpoint.plain(host, port));
    }
}
