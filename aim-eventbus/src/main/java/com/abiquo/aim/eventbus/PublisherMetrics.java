package com.abiquo.aim.eventbus;

import static java.util.Objects.requireNonNull;

import io.prometheus.metrics.core.metrics.Counter;
import java.net.SocketTimeoutException;
import java.util.Locale;
import java.util.Optional;
import redis.clients.jedis.exceptions.JedisAccessControlException;

/** One publisher's metric hooks (see {@link EventBusMetrics}): single calls from its loop. */
public final class PublisherMetrics {
    /** Why a publisher failed; a small fixed set, so the label stays cheap and alertable. */
    public enum ErrorKind {
        /** Redis could not be reached or the connection could not be set up (refused, unknown host, TLS). */
        CONNECT,
        /** Redis refused the login or the command (WRONGPASS, NOAUTH, NOPERM). */
        AUTH,
        /** Redis did not answer in time (frozen, overloaded, packets dropped). */
        TIMEOUT,
        /** A connected Redis failed a write (connection lost, an error answer). */
        PUBLISH,
        /** A defect of AIM's; the publisher starts over. */
        INTERNAL;

        public String label() {
            return name().toLowerCase(Locale.ROOT);
        }

        /**
         * Classifies a failure by its causes: a refused login or a timeout wherever it happened, otherwise by
         * whether the publisher was still connecting.
         */
        public static ErrorKind of(Throwable failure, boolean connecting) {
            for (Throwable cause = failure; cause != null;
                    cause = cause.getCause() == cause ? null : cause.getCause()) {
                String message = String.valueOf(cause.getMessage()).toUpperCase(Locale.ROOT);
                if (cause instanceof JedisAccessControlException || message.startsWith("WRONGPASS")
                        || message.startsWith("NOAUTH") || message.startsWith("NOPERM")) {
                    return AUTH;
                }
                if (cause instanceof SocketTimeoutException) {
                    return TIMEOUT;
                }
            }
            return connecting ? CONNECT : PUBLISH;
        }
    }

    private final String name;
    private final Counter errors;
    private final Counter legacyMessages;
    private volatile long publishedSequence = -1;

    PublisherMetrics(String name, Counter errors, Counter legacyMessages) {
        this.name = requireNonNull(name, "name is null");
        this.errors = requireNonNull(errors, "errors is null");
        this.legacyMessages = requireNonNull(legacyMessages, "legacyMessages is null");
    }

    /** Hooks that count nothing, for a publisher run outside a node (benchmarks, unit tests). */
    public static PublisherMetrics detached(String name) {
        return new EventBusMetrics(Optional::empty).publisher(name);
    }

    public String name() {
        return name;
    }

    /** The publisher has handled the journal up to {@code sequence}. */
    public void published(long sequence) {
        publishedSequence = sequence;
    }

    public long publishedSequence() {
        return publishedSequence;
    }

    public void failed(ErrorKind kind) {
        errors.labelValues(name, kind.label()).inc();
    }

    /** An AIM 2.x message went out on EventingChannel. */
    public void legacyMessage(String event) {
        legacyMessages.labelValues(event).inc();
    }
}
