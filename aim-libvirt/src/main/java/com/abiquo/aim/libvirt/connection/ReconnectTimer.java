package com.abiquo.aim.libvirt.connection;

import static java.util.Objects.requireNonNull;

import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.SocketChannel;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

/**
 * When the connector tries to connect again: exponential backoff (250 ms, doubling, at most the configured maximum),
 * cut short when a local daemon comes back. For a local URI ({@link DaemonSockets}) the daemon's socket files are
 * looked at every {@link #SOCKET_POLL} while the connection is down; a daemon that starts binds a new socket file
 * (it removes a stale one first), so when a socket file appears or is replaced (another inode) and accepts a
 * connection, the daemon has (re)started: the pending attempt runs at once and the backoff starts over.
 *
 * <p>Only a new socket file counts, never one that accepts all along: a frozen daemon's socket, or one systemd holds
 * for socket activation, accepts while the connection cannot be made, and must not turn the backoff into a busy
 * loop; nor do the probes connect to it (a frozen daemon's backlog would fill). Looking is a stat; a probe
 * connection (non-blocking, closed at once) is made only to a new file.
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
    /** The socket files as they were when the current wait began (null: missing). */
    private List<Object> seen = List.of();

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
                seen = identities();
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
        List<Object> now = identities();
        for (int i = 0; i < sockets.size(); i++) {
            Object identity = now.get(i);
            if (identity != null && !identity.equals(seen.get(i)) && accepting(sockets.get(i))) {
                stopProbing();
                if (nextAttempt != null && nextAttempt.cancel(false)) {
                    nextAttempt = null;
                    failedAttempts = 0;   // a new daemon: a failure of its first moments is retried quickly
                    attempt.run();
                }
                return;
            }
        }
    }

    /** Each socket file's identity (device and inode, and its time), null for a missing one. */
    private List<Object> identities() {
        List<Object> identities = new ArrayList<>(sockets.size());
        for (Path socket : sockets) {
            try {
                BasicFileAttributes attributes = Files.readAttributes(socket, BasicFileAttributes.class,
                        LinkOption.NOFOLLOW_LINKS);
                identities.add(List.of(String.valueOf(attributes.fileKey()), attributes.lastModifiedTime()));
            } catch (IOException | RuntimeException missing) {
                identities.add(null);
            }
        }
        return identities;
    }

    private void stopProbing() {
        if (probing != null) {
            probing.cancel(false);
            probing = null;
        }
    }

    /** Whether the socket accepts a connection now (a daemon binds its socket a moment before it listens). */
    private static boolean accepting(Path socket) {
        try (SocketChannel channel = SocketChannel.open(StandardProtocolFamily.UNIX)) {
            channel.configureBlocking(false);
            // A UNIX socket connects at once or fails at once; false only when its backlog is full (busy).
            return channel.connect(UnixDomainSocketAddress.of(socket)) || channel.finishConnect();
        } catch (IOException | RuntimeException refused) {
            return false;   // missing file, nobody listening yet, no permission
        }
    }
}
