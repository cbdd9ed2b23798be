package com.abiquo.aim.eventbus.redis;

import com.abiquo.aim.core.config.UrlCredentials;
import java.net.ConnectException;
import java.net.NoRouteToHostException;
import java.net.SocketTimeoutException;
import java.net.UnknownHostException;
import java.util.Locale;
import javax.net.ssl.SSLException;
import redis.clients.jedis.exceptions.JedisAccessControlException;
import redis.clients.jedis.exceptions.JedisConnectionException;
import redis.clients.jedis.exceptions.JedisDataException;
import redis.clients.jedis.exceptions.JedisException;

/**
 * Redis could not do what a publisher asked, with a message for the operator: what failed, where, and what to check.
 * Messages never contain the password.
 */
public final class RedisFailure extends Exception {
    private static final long serialVersionUID = 1L;

    public RedisFailure(String message) {
        super(message);
    }

    /** Explains a Jedis failure against {@code endpoint}. */
    public static RedisFailure of(RedisEndpoint endpoint, JedisException failure) {
        String where = endpoint.host() + ":" + endpoint.port();
        Throwable cause = rootCause(failure);
        Throwable network = networkCause(failure);
        if (network != null) {
            cause = network;
        }
        String message;
        if (failure instanceof JedisAccessControlException || startsWith(failure, "WRONGPASS")
                || startsWith(failure, "NOAUTH") || startsWith(failure, "NOPERM")) {
            // the user name is part of the credentials: not named here (docs/eventbus.md)
            message = "Redis at " + where + " refused the login" + (endpoint.user() == null ? "" : " of the url's user")
                    + ": " + firstLine(failure.getMessage())
                    + " (check the user and password in [eventbus] url / the server's ACL)";
        } else if (cause instanceof UnknownHostException) {
            message = "host \"" + endpoint.host() + "\" is not known (name resolution failed)";
        } else if (cause instanceof ConnectException) {
            message = "cannot connect to " + where + ": " + cause.getMessage() + " (is redis-server listening there?)";
        } else if (cause instanceof NoRouteToHostException) {
            message = "no route to " + where;
        } else if (cause instanceof SSLException) {
            message = "TLS with " + where + " failed: " + cause.getMessage()
                    + (endpoint.tls() ? " (does the server speak TLS on this port, and does tlsCa sign its certificate?)"
                    : "");
        } else if (cause instanceof SocketTimeoutException && endpoint.tls()) {
            message = "no TLS answer from " + where + " (" + cause.getMessage() + "): a rediss:// URL against a "
                    + "plaintext port? Redis serves TLS on its tls-port only";
        } else if (cause instanceof SocketTimeoutException) {
            message = "no answer from " + where + " in time (" + cause.getMessage() + "): the server is frozen, "
                    + "overloaded, or a firewall drops the packets";
        } else if (failure instanceof JedisConnectionException) {
            message = "connection to " + where + " lost: " + firstLine(failure.getMessage());
        } else if (failure instanceof JedisDataException) {
            message = "Redis at " + where + " answered: " + firstLine(failure.getMessage());
        } else {
            message = "Redis at " + where + ": " + firstLine(String.valueOf(failure.getMessage()));
        }
        RedisFailure explained = new RedisFailure(message);
        explained.initCause(failure);
        return explained;
    }

    private static boolean startsWith(JedisException failure, String code) {
        String message = failure.getMessage();
        return message != null && message.toUpperCase(Locale.ROOT).startsWith(code);
    }

    /** Jedis keeps the socket's own failure as a cause or, after trying each address of a name, as suppressed. */
    private static Throwable networkCause(Throwable failure) {
        for (Throwable cause = failure; cause != null; cause = cause.getCause() == cause ? null : cause.getCause()) {
            if (cause instanceof ConnectException || cause instanceof UnknownHostException
                    || cause instanceof SSLException || cause instanceof SocketTimeoutException
                    || cause instanceof NoRouteToHostException) {
                return cause;
            }
            for (Throwable suppressed : cause.getSuppressed()) {
                Throwable found = networkCause(suppressed);
                if (found != null) {
                    return found;
                }
            }
        }
        return null;
    }

    private static Throwable rootCause(Throwable failure) {
        Throwable cause = failure;
        while (cause.getCause() != null && cause.getCause() != cause) {
            cause = cause.getCause();
        }
        return cause;
    }

    private static String firstLine(String message) {
        if (message == null) {
            return "(no message)";
        }
        int newline = message.indexOf('\n');
        return UrlCredentials.mask(newline < 0 ? message : message.substring(0, newline));
    }
}
