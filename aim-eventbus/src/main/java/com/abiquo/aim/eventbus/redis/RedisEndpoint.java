package com.abiquo.aim.eventbus.redis;

import static java.util.Objects.requireNonNull;

import com.abiquo.aim.core.config.HostNames;
import com.abiquo.aim.core.config.UrlCredentials;
import java.net.URI;
import java.net.URISyntaxException;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Optional;

/**
 * Where a Redis server is and how to log in: {@code redis://[[user]:password@]host:port[/db]}, or {@code rediss://}
 * for TLS. {@link #toString()} never shows the user or password: endpoints end up in logs and health reasons.
 *
 * @param user null for the default user
 * @param password null for none
 * @param tlsCa the CA bundle (PEM) that signs the server's certificate; null: the JVM's trust store
 */
public record RedisEndpoint(String host, int port, String user, String password, int database, boolean tls,
                            Path tlsCa) {
    public static final int DEFAULT_PORT = 6379;
    private static final String FORM = "redis://[[user]:password@]host:port[/db]";

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
     * Parses a URL. @throws IllegalArgumentException with a message that names what is wrong (never the user
     * information)
     */
    public static RedisEndpoint parse(String url, Path tlsCa) {
        String text = url.strip();
        checkLayout(text);
        URI uri;
        try {
            uri = new URI(text);
        } catch (URISyntaxException bad) {
            throw new IllegalArgumentException("not a URL (" + bad.getReason() + " at index " + bad.getIndex()
                    + "); expected " + FORM + " or rediss://...");
        }
        boolean tls = "rediss".equals(uri.getScheme());
        if (uri.getHost() == null || uri.getHost().isEmpty()) {
            throw new IllegalArgumentException("no host; expected " + FORM);
        }
        int port = uri.getPort() == -1 ? DEFAULT_PORT : uri.getPort();
        String user = null;
        String password = null;
        if (uri.getRawUserInfo() != null && !uri.getRawUserInfo().isEmpty()) {
            String info = uri.getRawUserInfo();
            int colon = info.indexOf(':');
            // redis://:password@host (no user) is the usual form for a server with only requirepass
            user = decode(info.substring(0, colon));
            password = decode(info.substring(colon + 1));
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

    /**
     * Finds the mistakes that {@link URI} would misread as "no host": a user information without ':' (a password
     * or a user name? Redis clients disagree), '/', '#', '?' or '@' left unencoded in a password, a port that is
     * not a number, a malformed host. Never echoes the user information.
     */
    private static void checkLayout(String text) {
        int schemeEnd = text.indexOf("://");
        String scheme = schemeEnd < 0 ? "" : text.substring(0, schemeEnd);
        if (!scheme.equals("redis") && !scheme.equals("rediss")) {
            throw new IllegalArgumentException("does not start with redis:// or rediss://; expected " + FORM);
        }
        String rest = text.substring(schemeEnd + 3);
        int at = rest.lastIndexOf('@');
        if (at >= 0) {
            String info = rest.substring(0, at);
            if (info.chars().anyMatch(c -> c == '/' || c == '#' || c == '?' || c == '@')) {
                throw new IllegalArgumentException("the user or password holds '/', '#', '?' or '@' unencoded: "
                        + "percent-encode it (%2F, %23, %3F, %40)");
            }
            if (!info.isEmpty() && info.indexOf(':') < 0) {
                throw new IllegalArgumentException("holds a user name without a password: write "
                        + "redis://:PASSWORD@host for a password alone, or redis://USER:PASSWORD@host");
            }
        }
        String hostPort = rest.substring(at + 1).split("[/?#]", 2)[0];
        String host = hostPort;
        String port = null;
        if (hostPort.startsWith("[")) {
            int close = hostPort.indexOf(']');
            host = close < 0 ? hostPort : hostPort.substring(1, close);
            port = close >= 0 && hostPort.startsWith(":", close + 1) ? hostPort.substring(close + 2) : null;
        } else if (hostPort.indexOf(':') >= 0) {
            host = hostPort.substring(0, hostPort.lastIndexOf(':'));
            port = hostPort.substring(hostPort.lastIndexOf(':') + 1);
        }
        if (host.isEmpty()) {
            throw new IllegalArgumentException("no host; expected " + FORM);
        }
        if (!HostNames.isValid(host)) {
            throw new IllegalArgumentException("the host \"" + host + "\" is not a host name or IP address");
        }
        if (port != null && !port.matches("[0-9]{1,5}")) {
            throw new IllegalArgumentException("the port \"" + port + "\" is not a number from 1 to 65535");
        }
    }

    private static String decode(String part) {
        return URLDecoder.decode(part.replace("+", "%2B"), StandardCharsets.UTF_8);
    }

    public boolean hasPassword() {
        return password != null && !password.isEmpty();
    }

    /** The URL without its user information (user and password), for logs. */
    @Override
    public String toString() {
        String login = user == null && password == null ? "" : UrlCredentials.MASK + "@";
        String hostPart = host.contains(":") ? "[" + host + "]" : host;
        return (tls ? "rediss://" : "redis://") + login + hostPart + ":" + port + (database == 0 ? "" : "/" + database);
    }
}
