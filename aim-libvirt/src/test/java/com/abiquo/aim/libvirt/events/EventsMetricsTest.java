package com.abiquo.aim.libvirt.events;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.abiquo.aim.testing.Waits;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import io.prometheus.metrics.model.snapshots.CounterSnapshot;
import io.prometheus.metrics.model.snapshots.DataPointSnapshot;
import io.prometheus.metrics.model.snapshots.GaugeSnapshot;
import io.prometheus.metrics.model.snapshots.MetricSnapshot;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The events monitor's families: what a scrape says agrees with the journal and with the streams' ends. */
class EventsMetricsTest {
    private static final Duration WAIT = Duration.ofSeconds(10);
    private static final int STARTED = 2;
    private static final int STOPPED = 5;

    private final InMemoryDomainEventSource source = new InMemoryDomainEventSource();
    private final PrometheusRegistry registry = new PrometheusRegistry();
    private EventsMonitor monitor;

    @AfterEach
    void stop() {
        if (monitor != null) {
            monitor.stop();
        }
    }

    @Test
    void eventsByKindResyncsJournalSubscribersAndCutOffs() throws Exception {
        source.setSilently("uuid-a", "vm-a", 5);
        source.setSilently("uuid-b", "vm-b", 5);
        monitor = new EventsMonitor(new MonitorConfig(10_000, 10), new EventsMonitor.ConnectionObserver() {
            @Override
            public void connected() {
            }

            @Override
            public void disconnected(String why) {
            }
        });
        monitor.metrics().registerIn(registry);
        monitor.attach(source);
        // the first listing (baseline) runs on the monitor's thread
        Waits.await("monitor connected", WAIT, monitor::connected);
        RecordingSink stalled = new RecordingSink();
        RecordingSink healthy = new RecordingSink();
        EventsMonitor.SubscribeSpec all = new EventsMonitor.SubscribeSpec(SubscriptionFilter.allDomains(List.of()),
                false, 0);
        monitor.subscribe(all, stalled);
        monitor.subscribe(all, healthy);
        assertEquals(2.0, gauge("aim_event_subscribers"));
        stalled.ready = false;
        for (int i = 0; i < 30; i++) {
            source.fire("uuid-a", "vm-a", i % 2 == 0 ? STARTED : STOPPED, 0);
        }
        assertTrue(stalled.awaitEnd(WAIT), "the stalled subscriber is cut off");
        assertTrue(healthy.awaitEvents(events -> events.size() == 30, WAIT));
        // a transition missed while disconnected comes back as a resync event
        source.disconnect();
        source.setSilently("uuid-b", "vm-b", 1);
        source.reconnect();
        assertTrue(healthy.awaitEvents(events -> events.size() == 31, WAIT), "got " + healthy.events());

        Map<String, Double> journaled = new TreeMap<>();
        healthy.events().forEach(event -> journaled.merge(event.kind().name(), 1.0, Double::sum));
        Map<String, Double> counted = new TreeMap<>();
        counter("aim_events").forEach((labels, value) -> {
            if (value > 0) {
                counted.put(labels, value);
            }
        });
        assertEquals(journaled, counted);
        assertEquals(Map.of("", 1.0), counter("aim_events_resync"));
        assertEquals(1.0, counter("aim_event_streams_ended").get("overflow"), "one cut-off");
        assertEquals(1.0, gauge("aim_event_subscribers"), "the cut-off stream is gone");
        long last = healthy.events().get(30).sequence();
        assertEquals(last, gauge("aim_events_last_sequence"));
        assertEquals(31.0, gauge("aim_events_journal_events"));
        assertEquals(last - 30, gauge("aim_events_journal_oldest_sequence"));
    }

    private MetricSnapshot snapshot(String name) {
        return registry.scrape().stream().filter(family -> family.getMetadata().getName().equals(name)).findFirst()
                .orElseThrow(() -> new AssertionError(name + " is not registered"));
    }

    private double gauge(String name) {
        return ((GaugeSnapshot) snapshot(name)).getDataPoints().get(0).getValue();
    }

    /** Value by the first label's value ("" without labels). */
    private Map<String, Double> counter(String name) {
        Map<String, Double> values = new TreeMap<>();
        for (CounterSnapshot.CounterDataPointSnapshot point : ((CounterSnapshot) snapshot(name)).getDataPoints()) {
            values.put(firstLabel(point), point.getValue());
        }
        return values;
    }

    private static String firstLabel(DataPointSnapshot point) {
        return point.getLabels().isEmpty() ? "" : point.getLabels().getValue(0);
    }
}
