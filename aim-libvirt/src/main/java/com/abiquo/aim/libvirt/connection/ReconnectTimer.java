package com.abiquo.aim.libvirt.connection;

import static java.util.Objects.requireNonNull;

import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.SocketChannel;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

/**
 * When the connector tries to connect again: exponential backoff (250 ms, doubling, at most the configured maximum),
 * cut short when a local daemon comes back. For a local URI ({@link DaemonSockets}) the daemon's sockets are probed
 * every {@link #SOCKET_POLL} while the connection is down; when one goes from refusing connections (or missing) to
 * accepting them, the daemon has (re)started: the pending attempt runs at once and the backoff starts over.
 *
 * <p>Only that change counts, never a socket that accepts all along: a frozen daemon's socket, or one systemd holds
 * for socket activation, accepts while the connection cannot be made, and must not turn the backoff into a busy loop.
 * So a probe that finds the socket accepting before any refusal ends the probing for this outage, and at most one
 * probe connection per outage reaches a daemon. Probes are non-blocking connects, closed at once.
 *
 * <p>Used on the connector thread only.
 */
final class ReconnectTimer {
    static final Duration FIRST_BACKOFF = Duration.ofMillis(250);
    static final Duration SOCKET_POLL = Duration.ofMillis(100);

    private final ScheduledExecutorService connector;
    private final Duration maxBackoff;
    private final List<Path> sockets;
    private final Runnable attempt;
    private int failedAttempts;
    private ScheduledFuture<?> nextAttempt;
    private ScheduledFuture<?> probing;
    private boolean sawRefusal;

    /**
     * @param sockets the local daemon's sockets; empty for a remote URI (backoff only)
     * @param attempt the connection attempt, run on {@code connector}
     */
    ReconnectTimer(ScheduledExecutorService connector, Duration maxBackoff, List<Path> sockets, Runnable attempt) {
        this.connector = requireNonNull(connector, "connector is null");
        this.maxBackoff = requireNonNull(maxBackoff, "maxBackoff is null");
        this.sockets = List.copyOf(sockets);
        this.attempt = requireNonNull(attempt, "attempt is null");
    }

    /** Schedules the next attempt after a failure or a loss; returns its delay. */
    Duration scheduleNext() {
        long delay = Math.min(maxBackoff.toMillis(), FIRST_BACKOFF.toMillis() << Math.min(failedAttempts, 20));
        failedAttempts++;
        cancel();
        try {
            nextAttempt = connector.schedule(this::runAttempt, delay, TimeUnit.MILLISECONDS);
            if (!sockets.isEmpty()) {
                sawRefusal = false;
                probing = connector.scheduleWithFixedDelay(this::probe, SOCKET_POLL.toMillis(),
                        SOCKET_POLL.toMillis(), TimeUnit.MILLISECONDS);
            }
        } catch (RejectedExecutionException stopping) {
            // the connector is shutting down: no more attempts
        }
        return Duration.ofMillis(delay);
    }

    /** Whether a local daemon's sockets are watched (false: backoff only). */
    boolean watchesSockets() {
        return !sockets.isEmpty();
    }

    /** Failed attempts since the last connection (or since the daemon came back). */
    int failedAttempts() {
        return failedAttempts;
    }

    /** A connection was made: the backoff starts over next time. */
    void connected() {
        failedAttempts = 0;
        cancel();
    }

    void cancel() {
        if (nextAttempt != null) {
            nextAttempt.cancel(false);
            nextAttempt = null;
        }
        stopProbing();
    }

    private void runAttempt() {
        stopProbing();
        attempt.run();
    }

    private void probe() {
        if (!accepting()) {
            sawRefusal = true;
            return;
        }
        stopProbing();
        if (sawRefusal && nextAttempt != null && nextAttempt.cancel(false)) {
            nextAttempt = null;
            failedAttempts = 0;   // a new daemon: a failure of its first moments is retried quickly
            attempt.run();
        }
    }

    private void stopProbing() {
        if (probing != null) {
            probing.cancel(false);
            probing = null;
        }
    }

    /** Whether any of the daemon's sockets accepts a connection now. */
    private boolean accepting() {
        for (Path socket : sockets) {
            try (SocketChannel channel = SocketChannel.open(StandardProtocolFamily.UNIX)) {
                channel.configureBlocking(false);
                // A UNIX socket connects at once or fails at once; false only when its backlog is full (busy).
                if (channel.connect(UnixDomainSocketAddress.of(socket)) || channel.finishConnect()) {
                    return true;
                }
            } catch (IOException | RuntimeException refused) {
                // missing file, nobody listening, no permission: not accepting
            }
        }
        return false;
    }
}
