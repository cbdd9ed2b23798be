package com.abiquo.aim.libvirt.events;

import com.abiquo.aim.core.config.AimSettings;
import com.abiquo.aim.core.config.ConfigException;
import com.abiquo.aim.core.config.ConfigSchema;
import com.abiquo.aim.core.metrics.NodeMetrics;
import com.abiquo.aim.core.module.AimModule;
import com.abiquo.aim.core.module.HealthReporter;
import com.abiquo.aim.core.module.ModuleContext;
import com.abiquo.aim.core.spi.EventFeed;
import com.abiquo.aim.libvirt.connection.DomainEventSource;
import com.abiquo.aim.libvirt.events.grpc.EventsMonitorGrpcService;
import com.abiquo.aim.libvirt.events.grpc.JournalEventFeed;
import com.abiquo.aim.v1.EventsMonitorServiceGrpc;
import io.grpc.BindableService;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.Logger;

/**
 * The EventsMonitor service. It starts after the libvirt module (which publishes {@link DomainEventSource}) and
 * keeps looking the source up while it is missing, reporting NOT_SERVING meanwhile.
 */
public final class EventsMonitorModule implements AimModule {
    public static final String SERVICE = EventsMonitorServiceGrpc.SERVICE_NAME;
    private static final Logger LOG = LogManager.getLogger(EventsMonitorModule.class);
    private static final long SOURCE_LOOKUP_SECONDS = 2;

    private volatile EventsMonitor monitor;
    private volatile ScheduledFuture<?> lookup;
    private EventsMonitorGrpcService service;

    @Override
    public String name() {
        return "events";
    }

    @Override
    public ConfigSchema configSchema() {
        return new ConfigSchema().section(MonitorConfig.SECTION, MonitorConfig.JOURNAL_SIZE,
                MonitorConfig.SUBSCRIBER_BUFFER_SIZE);
    }

    @Override
    public int startOrder() {
        return 20;
    }

    @Override
    public void checkConfig(AimSettings settings, Path configFolder) throws ConfigException {
        MonitorConfig.from(settings);
    }

    @Override
    public void start(ModuleContext context) throws ConfigException {
        MonitorConfig config = MonitorConfig.from(context.settings());
        HealthReporter health = context.health();
        EventsMonitor events = new EventsMonitor(config, new EventsMonitor.ConnectionObserver() {
            @Override
            public void connected() {
                health.serving(SERVICE);
            }

            @Override
            public void disconnected(String why) {
                health.notServing(SERVICE, "libvirt connection down: " + why);
            }
        });
        monitor = events;
        NodeMetrics.of(context).add(events.metrics());
        service = new EventsMonitorGrpcService(() -> monitor, context.node());
        // for the event bus (aim-eventbus), which forwards the journal to Redis
        context.registry().publish(EventFeed.class, new JournalEventFeed(events, context.node()));
        health.notServing(SERVICE, "waiting for the libvirt connection");
        if (!attach(context, events)) {
            LOG.warn("No libvirt event source published yet; the events monitor keeps looking every {} s",
                    SOURCE_LOOKUP_SECONDS);
            lookup = context.scheduler().scheduleWithFixedDelay(() -> {
                if (attach(context, events)) {
                    ScheduledFuture<?> self = lookup;
                    if (self != null) {
                        self.cancel(false);
                    }
                }
            }, SOURCE_LOOKUP_SECONDS, SOURCE_LOOKUP_SECONDS, TimeUnit.SECONDS);
        }
        LOG.info("Events monitor started: journal of {} events, {} events per subscriber buffer",
                config.journalSize(), config.subscriberBufferSize());
    }

    private static boolean attach(ModuleContext context, EventsMonitor events) {
        if (events.attached()) {
            return true;
        }
        Optional<DomainEventSource> source = context.registry().lookup(DomainEventSource.class);
        if (source.isEmpty()) {
            context.health().notServing(SERVICE, "the libvirt module published no event source");
            return false;
        }
        events.attach(source.get());
        return true;
    }

    /** The running monitor (null before start), for diagnostics, fault tests and the benchmark. */
    public EventsMonitor monitor() {
        return monitor;
    }

    @Override
    public List<BindableService> services() {
        return service == null ? List.of() : List.of(service);
    }

    @Override
    public void stop() {
        ScheduledFuture<?> pending = lookup;
        if (pending != null) {
            pending.cancel(false);
        }
        EventsMonitor events = monitor;
        if (events != null) {
            events.stop();
        }
    }
}
