package com.abiquo.aim.libvirt.connection;

import static java.util.Objects.requireNonNull;

import com.abiquo.aim.core.config.UrlCredentials;
import com.abiquo.aim.core.error.AimException;
import com.abiquo.aim.core.module.HealthReporter;
import com.abiquo.aim.libvirt.LibvirtErrorReason;
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
 * The node's long-lived libvirt connection: in fact two connections to the same URI, one for reads and events and
 * one for actions that can take seconds ({@link #act}), opened, lost and reopened together (see {@link ConnectionPair}
 * for why a read must not share a connection with a slow action).
 *
 * <p>Threads: libvirt callbacks (lifecycle events, connection closed) run on the process-wide
 * {@link LibvirtEventLoop} thread and only hand work off. Everything that changes the connection (open, register
 * and remove callbacks, close) runs on ONE "libvirt-connector" thread, because libvirt-java keeps its callback tables
 * in plain HashMaps. Calls ({@link #call}, {@link #act}) run on the caller's thread against the current
 * {@code Connect}s, which libvirt allows from many threads at once.
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
    private final String shownUri; // for logs, health and clients: a user or password in the URI never shows
    private final HealthReporter health;
    private final ScheduledExecutorService connector;
    private final List<Listener> listeners = new CopyOnWriteArrayList<>();
    private final LifecycleListener lifecycleListener = this::onLifecycle;
    private final ConnectionCloseListener closeListener = this::onClose;

    /** Strong reference on purpose: an unreferenced Connect is finalized and its callbacks go silent. */
    private volatile ConnectionPair current;
    private volatile String lastFailure = "not connected yet";
    private volatile boolean closed;
    // Connector thread only:
    private final List<ConnectionPair> retiring = new ArrayList<>();
    private final ReconnectTimer reconnectTimer;
    private boolean everConnected;

    public LibvirtConnection(ConnectionSettings settings, HealthReporter health) {
        this.settings = requireNonNull(settings, "settings is null");
        this.shownUri = UrlCredentials.mask(settings.uri());
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
        health.notServing(SERVICE_NAME, "connecting to libvirtd at " + shownUri);
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
            LOG.warn("libvirtd at {} did not answer within {} ms; still trying in the background", shownUri,
                    firstAttempt.toMillis());
        } catch (InterruptedException interrupted) {
            Thread.currentThread().interrupt();
        } catch (ExecutionException failure) {
            LOG.error("first connection attempt to {} failed unexpectedly", shownUri, failure.getCause());
        }
    }

    @Override
    public <T> T call(LibvirtCall<T> call) throws AimException {
        return call("", call);
    }

    /**
     * Runs a read (or a quick change) on the caller's thread, on the connection that also carries the events, and maps
     * a libvirt failure in the one place that knows how.
     *
     * @param what what is being done, for error messages ("reading the state of domain 'web1'")
     */
    public <T> T call(String what, LibvirtCall<T> call) throws AimException {
        ConnectionPair pair = current;
        return run(pair, pair == null ? null : pair.reads(), what, call);
    }

    /**
     * Runs an action that can take seconds (power, define, undefine, disk or volume resizes, pool builds) like
     * {@link #call}, but on the actions connection, so that reads never wait behind it.
     *
     * @param what what is being done, for error messages ("powering off domain 'web1'")
     */
    @Override
    public <T> T act(String what, LibvirtCall<T> call) throws AimException {
        ConnectionPair pair = current;
        return run(pair, pair == null ? null : pair.actions(), what, call);
    }

    private <T> T run(ConnectionPair pair, Connect connect, String what, LibvirtCall<T> call) throws AimException {
        if (pair == null) {
            throw unreachable(what);
        }
        try {
            return call.apply(connect);
        } catch (LibvirtException failure) {
            // Read the true error first: any further libvirt call (isAlive) replaces the thread's last error.
            LibvirtError error = LibvirtErrors.trueError(failure);
            boolean alive = alive(connect);
            if (!alive) {
                submit(() -> lost(pair, error.message()));
            }
            throw LibvirtErrors.toAimException(error, what, alive, failure);
        } catch (RuntimeException failure) {
            // A call that outlived its connection (closed under it after a loss) is the daemon's absence, not a bug.
            if (pair != current) {
                throw unreachable(what);
            }
            throw failure;
        }
    }

    @Override
    public boolean connected() {
        return current != null;
    }

    /** The URI as logs, health and clients see it: any user information in it masked. */
    @Override
    public String uri() {
        return shownUri;
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
                ConnectionPair pair = current;
                current = null;
                if (pair != null) {
                    pair.discard(lifecycleListener);
                }
                retiring.forEach(retired -> retired.discard(lifecycleListener));
                retiring.clear();
            }).get(5, TimeUnit.SECONDS);
        } catch (InterruptedException interrupted) {
            Thread.currentThread().interrupt();
        } catch (ExecutionException | TimeoutException | RejectedExecutionException failure) {
            LOG.warn("closing the libvirt connection to {} did not finish cleanly: {}", shownUri,
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
        try {
            current = ConnectionPair.open(settings, closeListener, lifecycleListener);
        } catch (LibvirtException failure) {
            lastFailure = LibvirtErrors.trueError(failure).message();
            scheduleReconnect();
            return;
        }
        reconnectTimer.connected();
        boolean reconnected = everConnected;
        everConnected = true;
        LOG.info("{} libvirtd at {}", reconnected ? "reconnected to" : "connected to", shownUri);
        health.serving(SERVICE_NAME);
        for (Listener listener : listeners) {
            try {
                listener.onConnected(reconnected);
            } catch (RuntimeException failure) {
                LOG.error("a domain event listener failed on connect", failure);
            }
        }
    }

    private void scheduleReconnect() {
        if (closed) {
            return;
        }
        long delay = reconnectTimer.scheduleNext().toMillis();
        int failedAttempts = reconnectTimer.failedAttempts();
        if (failedAttempts == 1 || failedAttempts % 10 == 0) {
            LOG.warn("libvirtd at {} is unreachable ({}); attempt {} in {} ms{}", shownUri, lastFailure,
                    failedAttempts + 1, delay, reconnectTimer.watchesSockets()
                            ? " or as soon as its local socket accepts connections again" : "");
        }
        health.notServing(SERVICE_NAME, "libvirtd at " + shownUri + " is unreachable: " + lastFailure);
    }

    private void lost(ConnectionPair pair, String why) {
        if (pair != current) {
            return;
        }
        current = null;
        lastFailure = why;
        LOG.warn("lost the connection to libvirtd at {}: {}", shownUri, why);
        health.notServing(SERVICE_NAME, "libvirtd at " + shownUri + " is unreachable: " + why);
        for (Listener listener : listeners) {
            try {
                listener.onDisconnected(why);
            } catch (RuntimeException failure) {
                LOG.error("a domain event listener failed on disconnect", failure);
            }
        }
        // Calls that were running on these connections may still be inside libvirt: close them a little later.
        retiring.add(pair);
        try {
            connector.schedule(() -> {
                if (retiring.remove(pair)) {
                    pair.discard(lifecycleListener);
                }
            }, DISCARD_DELAY.toMillis(), TimeUnit.MILLISECONDS);
        } catch (RejectedExecutionException stopping) {
            retiring.remove(pair);
            pair.discard(lifecycleListener);
        }
        scheduleReconnect();
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
        submit(() -> {
            ConnectionPair pair = current;
            if (pair != null && pair.holds(connect)) {
                lost(pair, "connection closed (" + reason + ")");
            }
        });
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
        return new AimException(io.grpc.Status.Code.UNAVAILABLE, LibvirtErrorReason.LIBVIRT_UNREACHABLE,
                (what == null || what.isEmpty() ? "" : what + " failed: ") + "libvirtd at " + shownUri
                        + " is unreachable (" + lastFailure + "); AIM reconnects with backoff",
                Map.of("uri", shownUri), null);
    }
}
