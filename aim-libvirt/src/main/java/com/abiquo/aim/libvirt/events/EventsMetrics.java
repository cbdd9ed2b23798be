package com.abiquo.aim.libvirt.events;

import com.abiquo.aim.core.metrics.MetricFamilies;
import io.prometheus.metrics.core.datapoints.CounterDataPoint;
import io.prometheus.metrics.core.metrics.Counter;
import io.prometheus.metrics.core.metrics.GaugeWithCallback;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import java.util.EnumMap;
import java.util.Locale;
import java.util.Map;

/**
 * The events monitor for Prometheus: events journaled by kind and how many came from a resync, the journal's
 * sequence numbers and size, subscribers, and streams ended by reason ({@code reason="overflow"}: a subscriber cut
 * off for falling behind). The monitor owns one from its construction; its module registers it.
 */
public final class EventsMetrics implements MetricFamilies {
    private final Counter events = Counter.builder()
            .name("aim_events")
            .help("Events journaled, by kind (resync events included)")
            .labelNames("kind")
            .build();
    private final Counter resyncEvents = Counter.builder()
            .name("aim_events_resync")
            .help("Events journaled by a resync after the libvirt connection came back")
            .build();
    private final Counter streamsEnded = Counter.builder()
            .name("aim_event_streams_ended")
            .help("Subscriptions ended, by reason; overflow = cut off for falling behind")
            .labelNames("reason")
            .build();
    // the label lookups are done once: appending an event costs an increment only
    private final Map<EventKind, CounterDataPoint> byKind = new EnumMap<>(EventKind.class);
    private final Map<StreamEnd, CounterDataPoint> byEnd = new EnumMap<>(StreamEnd.class);

    private final EventsMonitor monitor;

    EventsMetrics(EventsMonitor monitor) {
        this.monitor = monitor; // read at scrape time only, after the monitor's construction
        for (EventKind kind : EventKind.values()) {
            byKind.put(kind, events.labelValues(kind.name()));
        }
        for (StreamEnd end : StreamEnd.values()) {
            byEnd.put(end, streamsEnded.labelValues(end.name().toLowerCase(Locale.ROOT)));
        }
    }

    void appended(EventKind kind, boolean resync) {
        byKind.get(kind).inc();
        if (resync) {
            resyncEvents.inc();
        }
    }

    void ended(StreamEnd reason) {
        if (reason != null) {
            byEnd.get(reason).inc();
        }
    }

    @Override
    public void registerIn(PrometheusRegistry registry) {
        registry.register(events);
        registry.register(resyncEvents);
        registry.register(streamsEnded);
        registry.register(gauge("aim_events_last_sequence", "Sequence number of the newest journaled event",
                events -> events.journal().lastSequence()));
        registry.register(gauge("aim_events_journal_oldest_sequence",
                "Oldest sequence number still in the journal (a client resuming before it gets a snapshot)",
                events -> events.journal().oldestSequence()));
        registry.register(gauge("aim_events_journal_events", "Events held in the journal",
                events -> events.journal().lastSequence() - events.journal().oldestSequence() + 1));
        registry.register(gauge("aim_event_subscribers", "Open event subscriptions",
                events -> events.subscriberCount()));
    }

    private interface Reading {
        double of(EventsMonitor monitor);
    }

    private GaugeWithCallback gauge(String name, String help, Reading reading) {
        return GaugeWithCallback.builder().name(name).help(help)
                .callback(callback -> callback.call(reading.of(monitor))).build();
    }
}
