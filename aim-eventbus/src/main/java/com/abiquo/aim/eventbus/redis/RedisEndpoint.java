package com.abiquo.aim.eventbus.redis;

import static java.util.Objects.requireNonNull;

import java.net.URI;
import java.net.URISyntaxException;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Optional;

/**
 * Where a Redis server is and how to log in: {@code redis://[user:password@]host:port[/db]}, or {@code rediss://}
 * for TLS. {@link #toString()} never shows the password: endpoints end up in logs and health reasons.
 *
 * @param user null for the default user
 * @param password null for none
 * @param tlsCa the CA bundle (PEM) that signs the server's certificate; null: the JVM's trust store
 */
public record RedisEndpoint(String host, int port, String user, String password, int database, boolean tls,
                            Path tlsCa) {
    public static final int DEFAULT_PORT = 6379;

    public RedisEndpoint {
        requireNonNull(host, "host is null");
        if (port < 1 || port > 65_535) {
            throw new IllegalArgumentException("port must be from 1 to 65535, got " + port);
        }
    }

    /** A plaintext endpoint without login (the legacy [monitor] redisHost/redisPort). */
    public static RedisEndpoint plain(String host, int port) {
        return new RedisEndpoint(host, port, null, null, 0, false, null);
    }

    /**
     * Parses a URL. @throws IllegalArgumentException with a message that names what is wrong (never the password)
     */
    public static RedisEndpoint parse(String url, Path tlsCa) {
        URI uri;
        try {
            uri = new URI(url.strip());
        } catch (URISyntaxException bad) {
            throw new IllegalArgumentException("not a URL (" + bad.getReason() + " at index " + bad.getIndex()
                    + "); expected redis://[user:password@]host:port[/db] or rediss://...");
        }
        String scheme = Optional.ofNullable(uri.getScheme()).orElse("");
        boolean tls = switch (scheme) {
            case "redis" -> false;
            case "rediss" -> true;
            default -> throw new IllegalArgumentException("scheme \"" + scheme + "\" is not redis:// or rediss://");
        };
        if (uri.getHost() == null || uri.getHost().isEmpty()) {
            throw new IllegalArgumentException("no host; expected redis://[user:password@]host:port[/db]");
        }
        int port = uri.getPort() == -1 ? DEFAULT_PORT : uri.getPort();
        String user = null;
        String password = null;
        if (uri.getRawUserInfo() != null) {
            String info = uri.getRawUserInfo();
            int colon = info.indexOf(':');
            // redis://:password@host (no user) is the usual form for a server with only requirepass
            user = decode(colon < 0 ? info : info.substring(0, colon));
            password = colon < 0 ? null : decode(info.substring(colon + 1));
            if (user.isEmpty()) {
                user = null;
            }
        }
        int database = 0;
        String path = Optional.ofNullable(uri.getPath()).orElse("");
        if (!path.isEmpty() && !path.equals("/")) {
            try {
                database = Integer.parseInt(path.substring(1));
            } catch (NumberFormatException notNumber) {
                throw new IllegalArgumentException("the path \"" + path + "\" is not a database number (/0, /1...)");
            }
            if (database < 0) {
                throw new IllegalArgumentException("database " + database + " is negative");
            }
        }
        if (uri.getRawQuery() != null || uri.getRawFragment() != null) {
            throw new IllegalArgumentException("a query or fragment is not understood; set TLS options with tlsCa");
        }
        if (!tls && tlsCa != null) {
            throw new IllegalArgumentException("tlsCa is set but the URL is redis://, not rediss://");
        }
        return new RedisEndpoint(uri.getHost(), port, user, password, database, tls, tlsCa);
    }

    private static String decode(String part) {
        return URLDecoder.decode(part.replace("+", "%2B"), StandardCharsets.UTF_8);
    }

    public boolean hasPassword() {
        return password != null && !password.isEmpty();
    }

    /** The URL without the password, for logs. */
    @Override
    public String toString() {
        String login = user == null ? (hasPassword() ? ":***@" : "") : user + (hasPassword() ? ":***@" : "@");
        String hostPart = host.contains(":") ? "[" + host + "]" : host;
        return (tls ? "rediss://" : "redis://") + login + hostPart + ":" + port + (database == 0 ? "" : "/" + database);
    }
}
