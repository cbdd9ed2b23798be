package com.abiquo.aim.libvirt.connection;

import static java.util.Objects.requireNonNull;

import com.abiquo.aim.core.error.AimException;
import com.abiquo.aim.core.module.HealthReporter;
import com.abiquo.aim.core.spi.LibvirtAccess;
import com.abiquo.aim.libvirt.connection.LibvirtErrors.LibvirtError;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.Logger;
import org.libvirt.Connect;
import org.libvirt.Domain;
import org.libvirt.LibvirtException;
import org.libvirt.event.ConnectionCloseListener;
import org.libvirt.event.ConnectionCloseReason;
import org.libvirt.event.DomainEvent;
import org.libvirt.event.LifecycleListener;

/**
 * The node's one long-lived libvirt connection.
 *
 * <p>Threads: libvirt callbacks (lifecycle events, connection closed) run on the process-wide
 * {@link LibvirtEventLoop} thread and only hand work off. Everything that changes the connection (open, register
 * and remove callbacks, close) runs on ONE "libvirt-connector" thread, because libvirt-java keeps its callback tables
 * in plain HashMaps. Calls ({@link #call}) run on the caller's thread against the current {@code Connect}, which
 * libvirt allows from many threads at once.
 *
 * <p>When libvirtd goes away (close callback: EOF or keepalive timeout; or a failed call on a dead connection), the
 * service turns NOT_SERVING, listeners hear {@code onDisconnected}, and the connector retries with exponential
 * backoff up to {@link ConnectionSettings#reconnectMaxBackoff()}, or at once when a local daemon's socket starts
 * accepting again ({@link ReconnectTimer}). A new connection re-registers the lifecycle
 * callback before listeners hear {@code onConnected(true)}; events of the time in between are lost (resync by
 * {@link #domainStates()}). Listeners get lifecycle events on the event-loop thread and
 * {@code onConnected}/{@code onDisconnected} on the connector thread (where calling {@link #domainStates()} is fine).
 */
public final class LibvirtConnection implements LibvirtAccess, DomainEventSource, AutoCloseable {
    /** The health name this connection reports for (the EventsMonitor reports its own). */
    public static final String SERVICE_NAME = "abiquo.aim.v1.LibvirtService";

    private static final Logger LOG = LogManager.getLogger(LibvirtConnection.class);
    private static final Duration DISCARD_DELAY = Duration.ofSeconds(10);

    private final ConnectionSettings settings;
    private final HealthReporter health;
    private final ScheduledExecutorService connector;
    private final List<Listener> listeners = new CopyOnWriteArrayList<>();
    private final LifecycleListener lifecycleListener = this::onLifecycle;
    private final ConnectionCloseListener closeListener = this::onClose;

    /** Strong reference on purpose: an unreferenced Connect is finalized and its callbacks go silent. */
    private volatile Connect current;
    private volatile String lastFailure = "not connected yet";
    private volatile boolean closed;
    // Connector thread only:
    private final List<Connect> retiring = new ArrayList<>();
    private final ReconnectTimer reconnectTimer;
    private boolean everConnected;

    public LibvirtConnection(ConnectionSettings settings, HealthReporter health) {
        this.settings = requireNonNull(settings, "settings is null");
        this.health = requireNonNull(health, "health is null");
        this.connector = Executors.newSingleThreadScheduledExecutor(runnable -> {
            Thread thread = new Thread(runnable, "libvirt-connector");
            thread.setDaemon(true);
            return thread;
        });
        this.reconnectTimer = new ReconnectTimer(connector, settings.reconnectMaxBackoff(),
                DaemonSockets.of(settings.uri(), System.getenv()), this::attemptConnect);
    }

    /**
     * Starts the event loop and makes the first connection attempt, waiting for it at most {@code firstAttempt}.
     * Never fails because libvirtd is down: the service stays NOT_SERVING and the connector keeps trying.
     */
    public void start(Duration firstAttempt) {
        health.notServing(SERVICE_NAME, "connecting to libvirtd at " + settings.uri());
        try {
            LibvirtEventLoop.ensureRunning();
        } catch (LibvirtException | RuntimeException | LinkageError failure) {
            lastFailure = "libvirt's event loop cannot start: " + failure.getMessage();
            LOG.error("libvirt is not usable in this process: {}", lastFailure, failure);
            health.notServing(SERVICE_NAME, lastFailure);
            return;
        }
        try {
            connector.submit(this::attemptConnect).get(firstAttempt.toMillis(), TimeUnit.MILLISECONDS);
        } catch (TimeoutException slow) {
            LOG.warn("libvirtd at {} did not answer within {} ms; still trying in the background", settings.uri(),
                    firstAttempt.toMillis());
        } catch (InterruptedException interrupted) {
            Thread.currentThread().interrupt();
        } catch (ExecutionException failure) {
            LOG.error("first connection attempt to {} failed unexpectedly", settings.uri(), failure.getCause());
        }
    }

    @Override
    public <T> T call(LibvirtCall<T> call) throws AimException {
        return call("", call);
    }

    /**
     * Runs the call on the caller's thread and maps a libvirt failure in the one place that knows how.
     *
     * @param what what is being done, for error messages ("power on of domain 'web1'")
     */
    public <T> T call(String what, LibvirtCall<T> call) throws AimException {
        Connect connect = current;
        if (connect == null) {
            throw unreachable(what);
        }
        try {
            return call.apply(connect);
        } catch (LibvirtException failure) {
            // Read the true error first: any further libvirt call (isAlive) replaces the thread's last error.
            LibvirtError error = LibvirtErrors.trueError(failure);
            boolean alive = alive(connect);
            if (!alive) {
                submit(() -> lost(connect, error.message()));
            }
            throw LibvirtErrors.toAimException(error, what, alive, failure);
        } catch (RuntimeException failure) {
            // A call that outlived its connection (closed under it after a loss) is the daemon's absence, not a bug.
            if (connect != current) {
                throw unreachable(what);
            }
            throw failure;
        }
    }

    @Override
    public boolean connected() {
        return current != null;
    }

    @Override
    public String uri() {
        return settings.uri();
    }

    /** Why the connection is down (or the last failure seen), for messages. */
    public String lastFailure() {
        return lastFailure;
    }

    @Override
    public void addListener(Listener listener) {
        listeners.add(requireNonNull(listener, "listener is null"));
    }

    @Override
    public void removeListener(Listener listener) {
        listeners.remove(listener);
    }

    @Override
    public List<DomainStateSnapshot> domainStates() throws AimException {
        return call("listing the domains", this::listStates);
    }

    private List<DomainStateSnapshot> listStates(Connect connect) throws LibvirtException {
        return DomainListing.readAll(connect, domain -> new DomainStateSnapshot(domain.getUUIDString(),
                domain.getName(), DomainStateReader.state(domain), domain.isPersistent() == 1));
    }

    @Override
    public void close() {
        closed = true;
        try {
            connector.submit(() -> {
                Connect connect = current;
                current = null;
                if (connect != null) {
                    discard(connect);
                }
                retiring.forEach(this::discard);
                retiring.clear();
            }).get(5, TimeUnit.SECONDS);
        } catch (InterruptedException interrupted) {
            Thread.currentThread().interrupt();
        } catch (ExecutionException | TimeoutException | RejectedExecutionException failure) {
            LOG.warn("closing the libvirt connection to {} did not finish cleanly: {}", settings.uri(),
                    failure.toString());
        }
        connector.shutdownNow();
        health.notServing(SERVICE_NAME, "the agent is stopping");
    }

    // ---- connector thread ----

    private void attemptConnect() {
        if (closed || current != null) {
            return;
        }
        Connect connect = null;
        try {
            connect = new Connect(settings.uri(), false);
            enableKeepAlive(connect);
            connect.registerCloseListener(closeListener);
            connect.addLifecycleListener(lifecycleListener);
        } catch (LibvirtException failure) {
            lastFailure = LibvirtErrors.trueError(failure).message();
            if (connect != null) {
                discard(connect);
            }
            scheduleReconnect();
            return;
        }
        current = connect;
        reconnectTimer.connected();
        boolean reconnected = everConnected;
        everConnected = true;
        LOG.info("{} libvirtd at {}", reconnected ? "reconnected to" : "connected to", settings.uri());
        health.serving(SERVICE_NAME);
        for (Listener listener : listeners) {
            try {
                listener.onConnected(reconnected);
            } catch (RuntimeException failure) {
                LOG.error("a domain event listener failed on connect", failure);
            }
        }
    }

    private void enableKeepAlive(Connect connect) {
        if (settings.keepAliveIntervalSeconds() <= 0) {
            return;
        }
        try {
            connect.setKeepAlive(settings.keepAliveIntervalSeconds(), settings.keepAliveCount());
        } catch (LibvirtException unsupported) {
            // Local drivers (test:///) have no keepalive; the remote ones answer it.
            LOG.debug("keepalive not available on {}: {}", settings.uri(), unsupported.getMessage());
        }
    }

    private void scheduleReconnect() {
        if (closed) {
            return;
        }
        long delay = reconnectTimer.scheduleNext().toMillis();
        int failedAttempts = reconnectTimer.failedAttempts();
        if (failedAttempts == 1 || failedAttempts % 10 == 0) {
            LOG.warn("libvirtd at {} is unreachable ({}); attempt {} in {} ms{}", settings.uri(), lastFailure,
                    failedAttempts + 1, delay, reconnectTimer.watchesSockets()
                            ? " or as soon as its local socket accepts connections again" : "");
        }
        health.notServing(SERVICE_NAME, "libvirtd at " + settings.uri() + " is unreachable: " + lastFailure);
    }

    private void lost(Connect connect, String why) {
        if (connect != current) {
            return;
        }
        current = null;
        lastFailure = why;
        LOG.warn("lost the connection to libvirtd at {}: {}", settings.uri(), why);
        health.notServing(SERVICE_NAME, "libvirtd at " + settings.uri() + " is unreachable: " + why);
        for (Listener listener : listeners) {
            try {
                listener.onDisconnected(why);
            } catch (RuntimeException failure) {
                LOG.error("a domain event listener failed on disconnect", failure);
            }
        }
        // Calls that were running on this connection may still be inside libvirt: close it a little later.
        retiring.add(connect);
        try {
            connector.schedule(() -> {
                if (retiring.remove(connect)) {
                    discard(connect);
                }
            }, DISCARD_DELAY.toMillis(), TimeUnit.MILLISECONDS);
        } catch (RejectedExecutionException stopping) {
            retiring.remove(connect);
            discard(connect);
        }
        scheduleReconnect();
    }

    /** Remove callbacks, then the close callback, then close: in another order the socket stays open. */
    private void discard(Connect connect) {
        try {
            connect.removeLifecycleListener(lifecycleListener);
        } catch (LibvirtException | RuntimeException ignored) {
            LOG.debug("removing the lifecycle callback failed: {}", ignored.getMessage());
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

    private void submit(Runnable work) {
        try {
            connector.execute(work);
        } catch (RejectedExecutionException stopping) {
            LOG.debug("connector stopped; dropping work");
        }
    }

    // ---- event-loop thread: hand off, never wait for the daemon ----

    private void onClose(Connect connect, ConnectionCloseReason reason) {
        submit(() -> lost(connect, "connection closed (" + reason + ")"));
    }

    private int onLifecycle(Domain domain, DomainEvent event) {
        long receivedNanos = System.nanoTime();
        long epochMillis = System.currentTimeMillis();
        String uuid;
        String name;
        try {
            // Both are read from the handle itself; no round trip to libvirtd.
            uuid = domain.getUUIDString();
            name = domain.getName();
        } catch (LibvirtException failure) {
            LOG.warn("lifecycle event {} for a domain without a readable name/uuid dropped", event);
            return 0;
        } finally {
            // libvirt-java took a reference for this event's handle; only its finalizer would release it.
            Handles.free(domain);
        }
        DomainLifecycleEvent lifecycleEvent = new DomainLifecycleEvent(uuid, name, event.getType().ordinal(),
                EventDetails.rawDetail(event), receivedNanos, epochMillis);
        for (Listener listener : listeners) {
            try {
                listener.onLifecycleEvent(lifecycleEvent);
            } catch (RuntimeException failure) {
                LOG.error("a domain event listener failed on {}", lifecycleEvent, failure);
            }
        }
        return 0;
    }

    private static boolean alive(Connect connect) {
        try {
            return connect.isAlive();
        } catch (LibvirtException | RuntimeException failure) {
            return false;
        }
    }

    private AimException unreachable(String what) {
        return new AimException(io.grpc.Status.Code.UNAVAILABLE, "LIBVIRT_UNREACHABLE",
                (what == null || what.isEmpty() ? "" : what + " failed: ") + "libvirtd at " + settings.uri()
                        + " is unreachable (" + lastFailure + "); AIM reconnects with backoff",
                Map.of("uri", settings.uri()), null);
    }
}
