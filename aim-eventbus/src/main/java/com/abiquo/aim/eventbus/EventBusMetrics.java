package com.abiquo.aim.eventbus;

import static java.util.Objects.requireNonNull;

import com.abiquo.aim.core.metrics.MetricFamilies;
import com.abiquo.aim.core.spi.EventFeed;
import io.prometheus.metrics.core.metrics.Counter;
import io.prometheus.metrics.core.metrics.GaugeWithCallback;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Supplier;

/**
 * The event bus for Prometheus, one series per publisher ({@code stream}, {@code legacy}):
 * {@code aim_eventbus_published_sequence} (the journal sequence the publisher has handled up to),
 * {@code aim_eventbus_lag_events} (journaled events it has not published yet), {@code aim_eventbus_errors_total}
 * by {@link PublisherMetrics.ErrorKind kind}, and {@code aim_eventbus_legacy_messages_total} by AIM 2.x event name.
 * Position and lag are read at scrape time; the publishers only report their position and their failures.
 */
public final class EventBusMetrics implements MetricFamilies {
    private final Supplier<Optional<EventFeed>> feeds;
    private final Map<String, PublisherMetrics> publishers = new ConcurrentHashMap<>();
    private final Counter errors = Counter.builder()
            .name("aim_eventbus_errors")
            .help("Failures of an event-bus publisher (each one is followed by a reconnection), by kind: connect, "
                    + "auth, timeout, publish, internal")
            .labelNames("publisher", "kind")
            .build();
    private final Counter legacyMessages = Counter.builder()
            .name("aim_eventbus_legacy_messages")
            .help("AIM 2.x messages PUBLISHed on EventingChannel, by event name")
            .labelNames("event")
            .build();

    public EventBusMetrics(Supplier<Optional<EventFeed>> feeds) {
        this.feeds = requireNonNull(feeds, "feeds is null");
    }

    /** The hooks of one publisher; its errors start at 0 for every kind, so rate() works from the first scrape. */
    public PublisherMetrics publisher(String name) {
        return publishers.computeIfAbsent(name, created -> {
            for (PublisherMetrics.ErrorKind kind : PublisherMetrics.ErrorKind.values()) {
                errors.initLabelValues(created, kind.label());
            }
            return new PublisherMetrics(created, errors, legacyMessages);
        });
    }

    @Override
    public void registerIn(PrometheusRegistry registry) {
        registry.register(errors);
        registry.register(legacyMessages);
        registry.register(GaugeWithCallback.builder()
                .name("aim_eventbus_published_sequence")
                .help("The journal sequence an event-bus publisher has handled everything up to")
                .labelNames("publisher")
                .callback(callback -> publishers.values().forEach(publisher -> {
                    long published = publisher.publishedSequence();
                    if (published >= 0) {
                        callback.call(published, publisher.name());
                    }
                }))
                .build());
        registry.register(GaugeWithCallback.builder()
                .name("aim_eventbus_lag_events")
                .help("Journaled events an event-bus publisher has not published yet (events that left the journal "
                        + "before it could take them are not counted)")
                .labelNames("publisher")
                .callback(callback -> feeds.get().ifPresent(feed -> publishers.values().forEach(publisher -> {
                    long published = publisher.publishedSequence();
                    if (published >= 0) {
                        callback.call(lag(feed, published), publisher.name());
                    }
                })))
                .build());
    }

    /** As the publishers log it: what the journal holds above the published sequence. */
    static long lag(EventFeed feed, long published) {
        return Math.max(0, feed.newestSequence() - Math.max(published, feed.oldestSequence() - 1));
    }
}
