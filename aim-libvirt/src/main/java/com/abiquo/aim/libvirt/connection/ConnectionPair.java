package com.abiquo.aim.libvirt.connection;

import static java.util.Objects.requireNonNull;

import com.abiquo.aim.core.config.UrlCredentials;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.Logger;
import org.libvirt.Connect;
import org.libvirt.LibvirtException;
import org.libvirt.event.ConnectionCloseListener;
import org.libvirt.event.LifecycleListener;

/**
 * The two libvirt connections AIM holds to its URI, opened and discarded together by {@link LibvirtConnection}'s
 * connector thread: {@code reads} carries reads and the lifecycle callback, {@code actions} the calls that can take
 * seconds ({@link LibvirtConnection#act}: power, define, undefine, disk resizes).
 *
 * <p>Why two: libvirt's client library does a connection's socket I/O on whichever calling thread holds it, and a
 * call made while another thread waits inside a slow call of the same connection is at times only sent when that
 * slow call's reply arrives (seen in libvirt 9.0's client debug log; libvirtd itself runs one client's calls in
 * parallel). On one connection a read then waited for a whole power-off, 1.4-2 s; on its own connection it answers in
 * a fraction of a millisecond while four power-offs run.
 */
record ConnectionPair(Connect reads, Connect actions) {
    private static final Logger LOG = LogManager.getLogger(ConnectionPair.class);

    ConnectionPair {
        requireNonNull(reads, "reads is null");
        requireNonNull(actions, "actions is null");
    }

    /**
     * Opens both connections, each with keepalive and the close callback (so the loss of either is seen), and the
     * lifecycle callback on {@code reads} alone. When either fails, what was opened is discarded.
     */
    static ConnectionPair open(ConnectionSettings settings, ConnectionCloseListener closeListener,
            LifecycleListener lifecycleListener) throws LibvirtException {
        Connect reads = null;
        try {
            reads = open(settings, closeListener);
            reads.addLifecycleListener(lifecycleListener);
            Connect actions = open(settings, closeListener);
            return new ConnectionPair(reads, actions);
        } catch (LibvirtException | RuntimeException failure) {
            if (reads != null) {
                capture(failure);
                discard(reads, lifecycleListener);
            }
            throw failure;
        }
    }

    private static Connect open(ConnectionSettings settings, ConnectionCloseListener closeListener)
            throws LibvirtException {
        Connect connect = new Connect(settings.uri(), false);
        try {
            enableKeepAlive(connect, settings);
            connect.registerCloseListener(closeListener);
            return connect;
        } catch (LibvirtException | RuntimeException failure) {
            capture(failure);
            discard(connect, null);
            throw failure;
        }
    }

    /** Its true error first: a discard resets the thread's last libvirt error. */
    private static void capture(Exception failure) {
        if (failure instanceof LibvirtException libvirtFailure) {
            LibvirtErrors.capture(libvirtFailure);
        }
    }

    private static void enableKeepAlive(Connect connect, ConnectionSettings settings) {
        if (settings.keepAliveIntervalSeconds() <= 0) {
            return;
        }
        try {
            connect.setKeepAlive(settings.keepAliveIntervalSeconds(), settings.keepAliveCount());
        } catch (LibvirtException unsupported) {
            // Local drivers (test:///) have no keepalive; the remote ones answer it.
            LOG.debug("keepalive not available on {}: {}", UrlCredentials.mask(settings.uri()),
                    unsupported.getMessage());
        }
    }

    boolean holds(Connect connect) {
        return connect == reads || connect == actions;
    }

    /** Closes both; calls still running on them fail, so only after they had time to end (see the caller). */
    void discard(LifecycleListener lifecycleListener) {
        discard(actions, null);
        discard(reads, lifecycleListener);
    }

    /** Remove callbacks, then the close callback, then close: in another order the socket stays open. */
    private static void discard(Connect connect, LifecycleListener lifecycleListener) {
        if (lifecycleListener != null) {
            try {
                connect.removeLifecycleListener(lifecycleListener);
            } catch (LibvirtException | RuntimeException ignored) {
                LOG.debug("removing the lifecycle callback failed: {}", ignored.getMessage());
            }
        }
        try {
            connect.unregisterCloseListener();
        } catch (LibvirtException | RuntimeException ignored) {
            LOG.debug("removing the close callback failed: {}", ignored.getMessage());
        }
        try {
            connect.close();
        } catch (LibvirtException | RuntimeException ignored) {
            LOG.debug("closing the connection failed: {}", ignored.getMessage());
        }
    }
}
