package com.abiquo.aim.eventbus;

import com.abiquo.aim.core.config.AimSettings;
import com.abiquo.aim.core.config.ConfigException;
import com.abiquo.aim.core.config.ConfigSchema;
import com.abiquo.aim.core.metrics.NodeMetrics;
import com.abiquo.aim.core.module.AimModule;
import com.abiquo.aim.core.module.ModuleContext;
import com.abiquo.aim.core.spi.EventFeed;
import com.abiquo.aim.eventbus.legacy.LegacyPublisher;
import com.abiquo.aim.eventbus.redis.RedisConnector;
import com.abiquo.aim.eventbus.redis.RedisEndpoint;
import com.abiquo.aim.eventbus.stream.JournalForwarder;
import com.abiquo.aim.eventbus.stream.RedisStreamSink;
import com.abiquo.aim.eventbus.stream.StreamEntries;
import io.grpc.BindableService;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.function.Supplier;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.Logger;

/**
 * The event bus: forwards the EventsMonitor's journal to a Redis stream ({@code [eventbus] url}) and, for Abiquo
 * controllers of AIM 2.x's time, PUBLISHes the original's messages ({@code [monitor] redisHost}). Both follow the
 * {@link EventFeed} that aim-libvirt publishes; each runs on a thread of its own with one Redis connection.
 */
public final class EventBusModule implements AimModule {
    /** The health service name of the Redis Streams bus. */
    public static final String STREAM_SERVICE = "abiquo.aim.v1.EventBus";
    /** The health service name of the AIM 2.x publishing. */
    public static final String LEGACY_SERVICE = "abiquo.aim.v1.EventBusLegacy";
    private static final Logger LOG = LogManager.getLogger(EventBusModule.class);
    static final Duration CONNECT_TIMEOUT = Duration.ofSeconds(2);
    /** A Redis that answers nothing for this long counts as down (NOT_SERVING), though it may only be frozen. */
    static final Duration SOCKET_TIMEOUT = Duration.ofSeconds(3);
    private static final Duration LOG_REPEAT = Duration.ofSeconds(60);
    private static final int BATCH = 512;

    private final List<Thread> threads = new ArrayList<>();
    private final List<Runnable> stoppers = new ArrayList<>();
    private volatile JournalForwarder forwarder;

    @Override
    public String name() {
        return "eventbus";
    }

    @Override
    public ConfigSchema configSchema() {
        return EventBusConfig.schema();
    }

    @Override
    public int startOrder() {
        return 30;
    }

    @Override
    public void checkConfig(AimSettings settings, Path configFolder) throws ConfigException {
        EventBusConfig.read(settings, configFolder, "localhost");
    }

    @Override
    public void start(ModuleContext context) throws ConfigException {
        EventBusConfig config = EventBusConfig.read(context.settings(), context.configFolder(),
                context.node().hostname());
        Supplier<Optional<EventFeed>> feeds = () -> context.registry().lookup(EventFeed.class);
        EventBusMetrics metrics = new EventBusMetrics(feeds);
        if (config.stream().isPresent() || config.legacy().isPresent()) {
            NodeMetrics.of(context).add(metrics); // no bus, no families (docs/metrics.md)
        }
        config.stream().ifPresent(stream -> {
            warnIfPasswordReadable(context, stream.endpoint());
            RedisConnector connector = new RedisConnector(stream.endpoint(), CONNECT_TIMEOUT, SOCKET_TIMEOUT,
                    "aim-eventbus");
            RedisStreamSink sink = new RedisStreamSink(connector, stream.key(),
                    new StreamEntries(stream.key(), stream.maxLength(), context.node()), Clock.systemUTC());
            BusStatus status = new BusStatus(STREAM_SERVICE, "Event bus (" + sink.describe() + ")",
                    context.health(), LOG_REPEAT, System::nanoTime);
            status.starting("connecting to " + sink.describe());
            JournalForwarder running = new JournalForwarder(feeds, sink, status, BATCH,
                    new Backoff(Duration.ofMillis(100), Duration.ofSeconds(10)), metrics.publisher("stream"));
            forwarder = running;
            startThread("aim-eventbus-stream", running, running::stop);
            LOG.info("Event bus: every journaled event goes to {} (MAXLEN ~ {})", sink.describe(),
                    stream.maxLength());
        });
        config.legacy().ifPresent(endpoint -> {
            RedisConnector connector = new RedisConnector(endpoint, CONNECT_TIMEOUT, SOCKET_TIMEOUT,
                    "aim-legacy-events");
            BusStatus status = new BusStatus(LEGACY_SERVICE, "AIM 2.x event publishing (" + endpoint + ")",
                    context.health(), LOG_REPEAT, System::nanoTime);
            status.starting("connecting to " + endpoint);
            LegacyPublisher publisher = new LegacyPublisher(feeds, connector, status,
                    new Backoff(Duration.ofMillis(100), Duration.ofSeconds(10)), metrics.publisher("legacy"));
            startThread("aim-eventbus-legacy", publisher, publisher::stop);
            LOG.info("AIM 2.x event publishing: subscribed domains' events go to {} channel {}", endpoint,
                    LegacyPublisher.CHANNEL);
        });
    }

    private void startThread(String name, Runnable work, Runnable stopper) {
        Thread thread = new Thread(work, name);
        thread.setDaemon(true);
        thread.start();
        threads.add(thread);
        stoppers.add(stopper);
    }

    /** A password in a file every local user can read is a password every local user has. */
    private static void warnIfPasswordReadable(ModuleContext context, RedisEndpoint endpoint) {
        if (!endpoint.hasPassword()) {
            return;
        }
        try {
            Path file = Path.of(context.settings().source());
            if (Files.isRegularFile(file)
                    && Files.getPosixFilePermissions(file).contains(PosixFilePermission.OTHERS_READ)) {
                LOG.warn("{} is readable by every user of this machine and [eventbus] url holds a Redis password: "
                        + "make it readable by AIM only (chmod o-r)", file);
            }
        } catch (IOException | UnsupportedOperationException | java.nio.file.InvalidPathException unknown) {
            LOG.debug("cannot check the permissions of {}: {}", context.settings().source(), unknown.toString());
        }
    }

    /** The running forwarder of the Redis Streams bus (null when it is off), for tests. */
    public JournalForwarder forwarder() {
        return forwarder;
    }

    @Override
    public List<BindableService> services() {
        return List.of();
    }

    @Override
    public void stop() {
        stoppers.forEach(Runnable::run);
        threads.forEach(Thread::interrupt);
        for (Thread thread : threads) {
            try {
                thread.join(3000);
            } catch (InterruptedException interrupted) {
                Thread.currentThread().interrupt();
            }
        }
    }
}
