package com.abiquo.aim.eventbus.redis;

import static java.util.Objects.requireNonNull;

import com.abiquo.aim.core.error.FileErrors;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.cert.Certificate;
import java.security.cert.CertificateFactory;
import java.time.Duration;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLSocketFactory;
import javax.net.ssl.TrustManagerFactory;
import redis.clients.jedis.DefaultJedisClientConfig;
import redis.clients.jedis.HostAndPort;
import redis.clients.jedis.Jedis;
import redis.clients.jedis.exceptions.JedisException;

/**
 * Opens one Jedis connection (one socket, no pool) to an endpoint: logged in, database selected, TLS with the
 * configured CA and host name verification. Each publisher holds exactly one connection and opens a new one after a
 * failure.
 */
public final class RedisConnector {
    private final RedisEndpoint endpoint;
    private final Duration connectTimeout;
    private final Duration socketTimeout;
    private final String clientName;
    private volatile SSLSocketFactory tlsFactory;

    public RedisConnector(RedisEndpoint endpoint, Duration connectTimeout, Duration socketTimeout, String clientName) {
        this.endpoint = requireNonNull(endpoint, "endpoint is null");
        this.connectTimeout = requireNonNull(connectTimeout, "connectTimeout is null");
        this.socketTimeout = requireNonNull(socketTimeout, "socketTimeout is null");
        this.clientName = requireNonNull(clientName, "clientName is null");
    }

    public RedisEndpoint endpoint() {
        return endpoint;
    }

    /**
     * @throws RedisFailure with an operator's explanation (refused, unknown host, TLS, login) when it cannot connect
     */
    public Jedis open() throws RedisFailure {
        DefaultJedisClientConfig.Builder config = DefaultJedisClientConfig.builder()
                .connectionTimeoutMillis((int) connectTimeout.toMillis())
                .socketTimeoutMillis((int) socketTimeout.toMillis())
                .database(endpoint.database())
                .clientName(clientName)
                .resp2()
                .autoNegotiateProtocol(false);
        if (endpoint.user() != null) {
            config.user(endpoint.user());
        }
        if (endpoint.hasPassword()) {
            config.password(endpoint.password());
        }
        if (endpoint.tls()) {
            SSLParameters parameters = new SSLParameters();
            parameters.setEndpointIdentificationAlgorithm("HTTPS");
            config.ssl(true).sslSocketFactory(tlsFactory()).sslParameters(parameters);
        }
        Jedis jedis = null;
        try {
            jedis = new Jedis(new HostAndPort(endpoint.host(), endpoint.port()), config.build());
            // The constructor may connect lazily: a PING makes refusals, TLS and login failures show up here.
            jedis.ping();
            return jedis;
        } catch (JedisException failure) {
            if (jedis != null) {
                closeQuietly(jedis);
            }
            RedisFailure explained = RedisFailure.of(endpoint, failure);
            if (!endpoint.tls() && closedOnFirstCommand(failure)) {
                explained = new RedisFailure(explained.getMessage() + " (does the server want TLS on this port? "
                        + "then use rediss://)");
            }
            throw explained;
        }
    }

    /**
     * A TLS port answers the plaintext PING of a new connection by closing it: an end of stream, or (Redis 7) a
     * connection reset.
     */
    private static boolean closedOnFirstCommand(JedisException failure) {
        for (Throwable cause = failure; cause != null; cause = cause.getCause()) {
            String message = String.valueOf(cause.getMessage());
            if (message.contains("Unexpected end of stream") || message.contains("Connection reset")) {
                return true;
            }
        }
        return false;
    }

    private SSLSocketFactory tlsFactory() throws RedisFailure {
        SSLSocketFactory factory = tlsFactory;
        if (factory != null) {
            return factory;
        }
        try {
            if (endpoint.tlsCa() == null) {
                factory = (SSLSocketFactory) SSLSocketFactory.getDefault();
            } else {
                KeyStore trusted = KeyStore.getInstance(KeyStore.getDefaultType());
                trusted.load(null, null);
                int index = 0;
                try (InputStream pem = Files.newInputStream(endpoint.tlsCa())) {
                    for (Certificate certificate : CertificateFactory.getInstance("X.509").generateCertificates(pem)) {
                        trusted.setCertificateEntry("ca-" + index++, certificate);
                    }
                }
                if (index == 0) {
                    throw new RedisFailure("tlsCa " + endpoint.tlsCa() + " holds no PEM certificate");
                }
                TrustManagerFactory trust = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
                trust.init(trusted);
                SSLContext context = SSLContext.getInstance("TLS");
                context.init(null, trust.getTrustManagers(), null);
                factory = context.getSocketFactory();
            }
        } catch (IOException unreadable) {
            throw new RedisFailure("cannot read tlsCa " + endpoint.tlsCa() + ": " + FileErrors.reason(unreadable));
        } catch (GeneralSecurityException unusable) {
            throw new RedisFailure("cannot use tlsCa " + endpoint.tlsCa() + ": " + unusable.getMessage());
        }
        tlsFactory = factory;
        return factory;
    }

    public static void closeQuietly(Jedis jedis) {
        try {
            jedis.close();
        } catch (RuntimeException ignored) {
            // the connection is being dropped anyway
        }
    }
}
