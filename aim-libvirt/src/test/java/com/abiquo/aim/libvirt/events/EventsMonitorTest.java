package com.abiquo.aim.libvirt.events;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.abiquo.aim.core.error.AimException;
import com.abiquo.aim.testing.NegativeCheck;
import com.abiquo.aim.testing.Waits;
import io.grpc.Status;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.stream.LongStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class EventsMonitorTest {
    private static final Duration WAIT = Duration.ofSeconds(10);
    private static final int STARTED = 2;
    private static final int SUSPENDED = 3;
    private static final int RESUMED = 4;
    private static final int STOPPED = 5;
    private static final int DEFINED = 0;
    private static final int UNDEFINED = 1;

    private final InMemoryDomainEventSource source = new InMemoryDomainEventSource();
    private final List<String> health = new CopyOnWriteArrayList<>();
    private EventsMonitor monitor;

    private EventsMonitor start(int journalSize, int bufferSize) throws InterruptedException {
        monitor = newMonitor(new MonitorConfig(journalSize, bufferSize));
        monitor.attach(source);
        awaitTrue(monitor::connected, "monitor connected");
        return monitor;
    }

    /** A monitor whose connection reports land in {@link #health}; not yet attached to a source. */
    private EventsMonitor newMonitor(MonitorConfig config) {
        return new EventsMonitor(config, new EventsMonitor.ConnectionObserver() {
            @Override
            public void connected() {
                health.add("SERVING");
            }

            @Override
            public void disconnected(String why) {
                health.add("NOT_SERVING " + why);
            }
        });
    }

    @AfterEach
    void stop() {
        if (monitor != null) {
            monitor.stop();
        }
    }

    private static void awaitTrue(java.util.function.BooleanSupplier condition, String what)
            throws InterruptedException {
        Waits.await(what, WAIT, condition::getAsBoolean);
    }

    /**
     * The last connection report. The monitor sets {@code connected()} before it tells the observer, so a test that
     * checks health waits for the report itself.
     */
    private String lastHealth() {
        return health.isEmpty() ? "" : health.get(health.size() - 1);
    }

    private static EventsMonitor.SubscribeSpec all() {
        return new EventsMonitor.SubscribeSpec(SubscriptionFilter.allDomains(List.of()), false, 0);
    }

    private static List<Long> sequences(List<MonitorEvent> events) {
        return events.stream().map(MonitorEvent::sequence).toList();
    }

    @Test
    void liveEventsArriveInOrderWithConsecutiveSequenceNumbers() throws Exception {
        start(10_000, 1_000);
        RecordingSink sink = new RecordingSink();
        monitor.subscribe(all(), sink);
        for (int i = 0; i < 100; i++) {
            source.fire("uuid-" + (i % 5), "vm" + (i % 5), i % 2 == 0 ? STARTED : STOPPED, 0);
        }
        assertTrue(sink.awaitEvents(events -> events.size() == 100, WAIT), "100 events, got " + sink.events().size());
        List<MonitorEvent> events = sink.events();
        long first = events.get(0).sequence();
        assertEquals(LongStream.range(first, first + 100).boxed().toList(), sequences(events));
        assertEquals(EventKind.POWERED_ON, events.get(0).kind());
        assertEquals(VmState.RUNNING, events.get(0).state());
        assertEquals("STARTED/BOOTED", events.get(0).libvirtText());
        assertEquals(EventKind.POWERED_OFF, events.get(1).kind());
        assertEquals(VmState.SHUTOFF, events.get(1).state());
        assertFalse(events.get(0).resync());
        StreamItem.Started started = sink.itemsOf(StreamItem.Started.class).get(0);
        assertTrue(started.sourceConnected());
        assertEquals(sink.items.get(0), started, "started comes first");
        assertTrue(first > System.currentTimeMillis() * 1000 - 60_000_000L, "sequences start from the clock");
    }

    @Test
    void isolatedEventsAndBurstsReachEverySubscriberOnceAndInOrder() throws Exception {
        // Many subscribers, shared among the drain pool's threads; isolated events and bursts (one dispatched batch
        // of many events) must both reach each of them.
        start(10_000, 1_000);
        List<RecordingSink> sinks = new ArrayList<>();
        for (int i = 0; i < 164; i++) {
            RecordingSink sink = new RecordingSink();
            monitor.subscribe(all(), sink);
            sinks.add(sink);
        }
        int fired = 0;
        for (int round = 0; round < 5; round++) {
            Thread.sleep(3); // the scenario, not a wait: a pause makes the next event an isolated one
            source.fire("uuid-a", "a", round % 2 == 0 ? SUSPENDED : RESUMED, 0);
            fired++;
            for (int i = 0; i < 50; i++) {
                source.fire("uuid-b", "b", (fired + i) % 2 == 0 ? SUSPENDED : RESUMED, 0);
            }
            fired += 50;
        }
        int expected = fired;
        for (RecordingSink sink : sinks) {
            assertTrue(sink.awaitEvents(events -> events.size() >= expected, WAIT), "got " + sink.events().size());
            List<MonitorEvent> events = sink.events();
            long first = events.get(0).sequence();
            assertEquals(LongStream.range(first, first + expected).boxed().toList(), sequences(events));
        }
    }

    @Test
    void filtersByUuidNameAndKind() throws Exception {
        start(10_000, 1_000);
        RecordingSink byUuid = new RecordingSink();
        RecordingSink byName = new RecordingSink();
        RecordingSink pausesOnly = new RecordingSink();
        RecordingSink nothing = new RecordingSink();
        monitor.subscribe(new EventsMonitor.SubscribeSpec(SubscriptionFilter.domains(
                List.of(DomainKey.uuid("UUID-A")), List.of()), false, 0), byUuid);
        monitor.subscribe(new EventsMonitor.SubscribeSpec(SubscriptionFilter.domains(
                List.of(DomainKey.name("vm-b")), List.of()), false, 0), byName);
        monitor.subscribe(new EventsMonitor.SubscribeSpec(SubscriptionFilter.allDomains(
                List.of(EventKind.PAUSED)), false, 0), pausesOnly);
        monitor.subscribe(new EventsMonitor.SubscribeSpec(SubscriptionFilter.domains(List.of(), List.of()), false,
                0), nothing);
        source.fire("uuid-a", "vm-a", STARTED, 0);
        source.fire("uuid-b", "vm-b", STARTED, 0);
        source.fire("uuid-a", "vm-a", SUSPENDED, 0);
        source.fire("uuid-c", "vm-c", SUSPENDED, 0);
        assertTrue(pausesOnly.awaitEvents(events -> events.size() == 2, WAIT));
        assertTrue(byUuid.awaitEvents(events -> events.size() == 2, WAIT));
        assertTrue(byName.awaitEvents(events -> events.size() == 1, WAIT));
        assertEquals(List.of("vm-a", "vm-a"), byUuid.events().stream().map(MonitorEvent::name).toList());
        assertEquals(List.of("vm-a", "vm-c"), pausesOnly.events().stream().map(MonitorEvent::name).toList());
        // Bounded negative check: pausesOnly has the last of the four events, so all four were dispatched; a sink
        // whose filter wrongly matched would have had them as promptly. 50 ms is many times that.
        NegativeCheck.during(Duration.ofMillis(50), "an event reaches a sink whose filter matches nothing, or vm-b's"
                + " reaches the uuid filter", () -> !nothing.events().isEmpty() || byUuid.events().size() > 2);
        assertEquals(0, nothing.events().size());
        assertEquals(2, byUuid.events().size(), "nothing more arrived");
    }

    @Test
    void snapshotComesFirstThenLiveEventsWithoutGap() throws Exception {
        source.setSilently("uuid-a", "vm-a", 1);
        source.setSilently("uuid-b", "vm-b", 5);
        start(10_000, 1_000);
        long defined = monitor.journal().nextSequence();
        source.fire("uuid-c", "vm-c", DEFINED, 0);
        awaitTrue(() -> monitor.journal().lastSequence() == defined, "definition journaled");
        RecordingSink sink = new RecordingSink();
        monitor.subscribe(new EventsMonitor.SubscribeSpec(SubscriptionFilter.allDomains(List.of()), true, 0), sink);
        source.fire("uuid-a", "vm-a", SUSPENDED, 0);
        assertTrue(sink.awaitEvents(events -> events.size() == 1, WAIT));
        List<StreamItem> items = sink.items;
        assertTrue(items.get(0) instanceof StreamItem.Started);
        StreamItem.SnapshotStart snapshotStart = (StreamItem.SnapshotStart) items.get(1);
        assertEquals(StreamItem.SnapshotReason.REQUESTED, snapshotStart.reason());
        assertEquals(3, snapshotStart.domainCount());
        List<StreamItem.SnapshotDomain> domains = sink.itemsOf(StreamItem.SnapshotDomain.class);
        assertEquals(Set.of("vm-a:RUNNING", "vm-b:SHUTOFF", "vm-c:SHUTOFF"),
                Set.copyOf(domains.stream().map(d -> d.name() + ":" + d.state()).toList()));
        StreamItem.SnapshotEnd snapshotEnd = (StreamItem.SnapshotEnd) items.get(5);
        MonitorEvent pause = sink.events().get(0);
        assertEquals(snapshotEnd.asOfSequence() + 1, pause.sequence(), "the first live event follows the snapshot");
        assertEquals(items.get(6), sink.itemsOf(StreamItem.Event.class).get(0));
    }

    @Test
    void resumingClientsMissNothingAndGetNothingTwiceWhileEventsFlow() throws Exception {
        start(200_000, 100_000);
        int total = 30_000;
        AtomicBoolean done = new AtomicBoolean();
        Thread producer = new Thread(() -> {
            for (int i = 0; i < total; i++) {
                source.fire("uuid-" + (i % 7), "vm" + (i % 7), i % 2 == 0 ? STARTED : STOPPED, 0);
                if (i % 500 == 0) {
                    Thread.onSpinWait();
                }
            }
            done.set(true);
        });
        long before = monitor.journal().lastSequence();
        List<Long> received = new ArrayList<>();
        long resumeAfter = before;
        int reconnections = 0;
        producer.start();
        // A client that hangs up after a random number of events and resumes from the last one it saw.
        while (resumeAfter < before + total) {
            RecordingSink sink = new RecordingSink();
            Subscriber subscriber = monitor.subscribe(new EventsMonitor.SubscribeSpec(
                    SubscriptionFilter.allDomains(List.of()), false, resumeAfter), sink);
            int want = ThreadLocalRandom.current().nextInt(1, 3_000);
            long from = resumeAfter;
            Waits.await(want + " events, or all there will be", WAIT, Duration.ofMillis(1),
                    () -> sink.events().size() >= want
                            || done.get() && monitor.journal().lastSequence() == from + sink.events().size());
            sink.ready = false;
            subscriber.end(StreamEnd.CANCELLED, "client hung up");
            assertTrue(awaitEnded(subscriber), "subscription ended");
            List<MonitorEvent> got = sink.events();
            assertTrue(sink.itemsOf(StreamItem.Started.class).get(0).resumed(), "resumed from the journal");
            assertTrue(sink.itemsOf(StreamItem.SnapshotStart.class).isEmpty(), "no snapshot when resuming");
            got.forEach(event -> received.add(event.sequence()));
            if (!got.isEmpty()) {
                resumeAfter = got.get(got.size() - 1).sequence();
            }
            reconnections++;
        }
        producer.join();
        assertEquals(LongStream.rangeClosed(before + 1, before + total).boxed().toList(), received,
                "every event exactly once over " + reconnections + " reconnections");
        assertTrue(reconnections > 3, "the client reconnected several times: " + reconnections);
    }

    private static boolean awaitEnded(Subscriber subscriber) throws InterruptedException {
        Waits.await("the subscription to end", WAIT, Duration.ofMillis(1), subscriber::ended);
        return subscriber.ended();
    }

    @Test
    void aResumePointNoLongerInTheJournalGetsASnapshotMarkedAsSuch() throws Exception {
        for (int i = 0; i < 3; i++) {
            source.setSilently("uuid-" + i, "vm" + i, 5); // defined: they stay when they stop
        }
        start(100, 10);
        long first = monitor.journal().nextSequence();
        for (int i = 0; i < 300; i++) {
            source.fire("uuid-" + (i % 3), "vm" + (i % 3), i % 2 == 0 ? STARTED : STOPPED, 0);
        }
        awaitTrue(() -> monitor.journal().lastSequence() == first + 299, "events journaled");
        RecordingSink sink = new RecordingSink();
        monitor.subscribe(new EventsMonitor.SubscribeSpec(SubscriptionFilter.allDomains(List.of()), false, first),
                sink);
        source.fire("uuid-0", "vm0", SUSPENDED, 0);
        assertTrue(sink.awaitEvents(events -> events.size() == 1, WAIT));
        assertFalse(sink.itemsOf(StreamItem.Started.class).get(0).resumed());
        StreamItem.SnapshotStart start = sink.itemsOf(StreamItem.SnapshotStart.class).get(0);
        assertEquals(StreamItem.SnapshotReason.RESUME_POINT_LOST, start.reason());
        assertEquals(3, start.domainCount());
        assertEquals(first + 299, start.asOfSequence());
        assertEquals(first + 300, sink.events().get(0).sequence());

        RecordingSink fromPreviousRun = new RecordingSink();
        monitor.subscribe(new EventsMonitor.SubscribeSpec(SubscriptionFilter.allDomains(List.of()), false, 12345),
                fromPreviousRun);
        awaitTrue(() -> !fromPreviousRun.itemsOf(StreamItem.SnapshotEnd.class).isEmpty(), "snapshot");
        assertEquals(StreamItem.SnapshotReason.RESUME_POINT_LOST,
                fromPreviousRun.itemsOf(StreamItem.SnapshotEnd.class).get(0).reason());
    }

    @Test
    void aStalledSubscriberIsCutOffWhileOthersKeepReceiving() throws Exception {
        start(10_000, 10);
        RecordingSink stalled = new RecordingSink();
        RecordingSink healthy = new RecordingSink();
        monitor.subscribe(all(), stalled);
        monitor.subscribe(all(), healthy);
        awaitTrue(() -> stalled.items.size() == 1, "started sent");
        stalled.ready = false;
        long first = monitor.journal().nextSequence();
        for (int i = 0; i < 50; i++) {
            source.fire("uuid-a", "vm-a", i % 2 == 0 ? STARTED : STOPPED, 0);
        }
        assertTrue(stalled.awaitEnd(WAIT), "stalled subscriber cut off");
        assertEquals(StreamEnd.OVERFLOW, stalled.end);
        assertTrue(stalled.endMessage.contains("subscriberBufferSize"), stalled.endMessage);
        assertEquals(first - 1, stalled.resumeAfter, "nothing was sent to it");
        assertTrue(healthy.awaitEvents(events -> events.size() == 50, WAIT));
        assertNull(healthy.end);
        // It resumes and gets everything it missed.
        RecordingSink resumed = new RecordingSink();
        monitor.subscribe(new EventsMonitor.SubscribeSpec(SubscriptionFilter.allDomains(List.of()), false,
                stalled.resumeAfter), resumed);
        assertTrue(resumed.awaitEvents(events -> events.size() == 50, WAIT));
        assertEquals(sequences(healthy.events()), sequences(resumed.events()));
    }

    @Test
    void aResumeBacklogLargerThanTheBufferIsNotAnOverflow() throws Exception {
        start(10_000, 10);
        long first = monitor.journal().nextSequence();
        for (int i = 0; i < 500; i++) {
            source.fire("uuid-a", "vm-a", i % 2 == 0 ? STARTED : STOPPED, 0);
        }
        awaitTrue(() -> monitor.journal().lastSequence() == first + 499, "journaled");
        RecordingSink slowStarter = new RecordingSink();
        slowStarter.ready = false;
        Subscriber subscriber = monitor.subscribe(new EventsMonitor.SubscribeSpec(
                SubscriptionFilter.allDomains(List.of()), false, first - 1), slowStarter);
        // Bounded negative check: a buffered replay (500 events over a buffer of 10, its stream not ready) would be
        // cut off once the stall grace (1 s) is over; the window covers it with room to spare.
        NegativeCheck.during(EventsMonitor.DEFAULT_STALL_GRACE.plusMillis(500), "the not-ready stream is cut off",
                () -> slowStarter.end != null);
        assertNull(slowStarter.end, "the replay is read from the journal, not buffered");
        slowStarter.ready = true;
        subscriber.signal();
        assertTrue(slowStarter.awaitEvents(events -> events.size() == 500, WAIT));
    }

    @Test
    void theCallbackThreadNeverWaitsForASubscriber() throws Exception {
        start(10_000, 5_000);
        CountDownLatch release = new CountDownLatch(1);
        RecordingSink blocked = new RecordingSink() {
            @Override
            public void send(StreamItem item) {
                try {
                    release.await();
                } catch (InterruptedException interrupted) {
                    Thread.currentThread().interrupt();
                }
                super.send(item);
            }
        };
        RecordingSink healthy = new RecordingSink();
        monitor.subscribe(all(), blocked);
        monitor.subscribe(all(), healthy);
        long start = System.nanoTime();
        for (int i = 0; i < 2_000; i++) {
            source.fire("uuid-a", "vm-a", i % 2 == 0 ? STARTED : STOPPED, 0);
        }
        long callbackMillis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
        assertTrue(healthy.awaitEvents(events -> events.size() == 2_000, WAIT),
                "the other subscriber got everything while one is stuck in send");
        release.countDown();
        assertTrue(blocked.awaitEvents(events -> events.size() == 2_000, WAIT));
        assertTrue(callbackMillis < 2_000, "2,000 callbacks took " + callbackMillis + " ms");
    }

    @Test
    void missedTransitionsAreResyncedAfterReconnectionAndStreamsStayOpen() throws Exception {
        source.setSilently("uuid-a", "vm-a", 1);
        source.setSilently("uuid-b", "vm-b", 5);
        source.setSilently("uuid-gone", "vm-gone", 1);
        start(10_000, 1_000);
        RecordingSink sink = new RecordingSink();
        monitor.subscribe(all(), sink);
        source.disconnect();
        awaitTrue(() -> lastHealth().startsWith("NOT_SERVING"), "NOT_SERVING reported");
        assertFalse(monitor.connected());
        source.setSilently("uuid-a", "vm-a", 5);
        source.setSilently("uuid-b", "vm-b", 3);
        source.setSilently("uuid-gone", "vm-gone", -1);
        source.setSilently("uuid-new", "vm-new", 1);
        source.fire("uuid-a", "vm-a", STARTED, 0); // while down: no event reaches the monitor
        source.setSilently("uuid-a", "vm-a", 5);
        source.reconnect();
        assertTrue(sink.awaitEvents(events -> events.size() == 6, WAIT), "got " + sink.events());
        List<String> got = sink.events().stream()
                .map(e -> e.name() + ":" + e.kind() + "->" + e.state() + (e.resync() ? " resync" : "")).toList();
        assertEquals(Set.of("vm-a:POWERED_OFF->SHUTOFF resync", "vm-b:POWERED_ON->RUNNING resync",
                "vm-b:PAUSED->PAUSED resync", "vm-gone:DESTROYED->UNDEFINED resync",
                "vm-new:CREATED->SHUTOFF resync", "vm-new:POWERED_ON->RUNNING resync"), Set.copyOf(got));
        assertTrue(got.indexOf("vm-b:POWERED_ON->RUNNING resync") < got.indexOf("vm-b:PAUSED->PAUSED resync"));
        assertTrue(sink.events().stream().allMatch(e -> e.libvirtType() == -1 && e.libvirtText().equals("RESYNC")));
        assertNull(sink.end, "the stream stayed open");
        assertEquals("SERVING", health.get(health.size() - 1));
        source.fire("uuid-a", "vm-a", STARTED, 0);
        assertTrue(sink.awaitEvents(events -> events.size() == 7, WAIT), "live events flow again");
        assertEquals(VmState.RUNNING, monitor.knownStates().get("uuid-a"));
    }

    @Test
    void anEventReportedWhileTheResyncListsIsNotReportedTwice() throws Exception {
        source.setSilently("uuid-a", "vm-a", 5);
        start(10_000, 1_000);
        RecordingSink sink = new RecordingSink();
        monitor.subscribe(all(), sink);
        source.disconnect();
        awaitTrue(() -> !monitor.connected(), "disconnected");
        // libvirtd is back; the domain starts after the callback is registered but before the listing reads it.
        source.duringNextListing = () -> source.fire("uuid-a", "vm-a", STARTED, 0);
        source.reconnect();
        awaitTrue(monitor::connected, "reconnected");
        source.fire("uuid-a", "vm-a", SUSPENDED, 0);
        assertTrue(sink.awaitEvents(events -> events.stream().anyMatch(e -> e.kind() == EventKind.PAUSED), WAIT));
        List<String> got = sink.events().stream().map(e -> e.kind() + (e.resync() ? " resync" : "")).toList();
        assertEquals(List.of("POWERED_ON resync", "PAUSED"), got);
    }

    @Test
    void aDomainStartedAndStoppedAgainWhileTheResyncListsEndsKnownAsStopped() throws Exception {
        source.setSilently("uuid-a", "vm-a", 1);
        start(10_000, 1_000);
        RecordingSink sink = new RecordingSink();
        monitor.subscribe(all(), sink);
        source.disconnect();
        awaitTrue(() -> !monitor.connected(), "disconnected");
        source.setSilently("uuid-a", "vm-a", 5);   // stopped while nobody listened: the resync reports it
        // ...and started and stopped again while the listing runs: the second stop is news, not the resync's.
        source.duringNextListing = () -> {
            source.fire("uuid-a", "vm-a", STARTED, 0);
            source.fire("uuid-a", "vm-a", STOPPED, 1);
        };
        source.reconnect();
        awaitTrue(monitor::connected, "reconnected");
        assertTrue(sink.awaitEvents(events -> events.size() == 3, WAIT), "got " + sink.events());
        assertEquals(List.of("POWERED_OFF resync", "POWERED_ON", "POWERED_OFF"), sink.events().stream()
                .map(e -> e.kind() + (e.resync() ? " resync" : "")).toList());
        assertEquals(VmState.SHUTOFF, monitor.knownStates().get("uuid-a"));
    }

    @Test
    void aDisconnectionDuringTheResyncListingLeavesHealthNotServing() throws Exception {
        start(10_000, 1_000);
        source.disconnect();
        // the disconnection's own report first, or it could pass for the listing's outcome below
        awaitTrue(() -> lastHealth().startsWith("NOT_SERVING"), "NOT_SERVING reported");
        int before = health.size();
        // libvirtd comes back, and goes again while the monitor lists the domains
        source.duringNextListing = source::disconnect;
        source.reconnect();
        awaitTrue(() -> health.size() > before, "the listing's outcome reported");
        // Bounded negative check: a SERVING wrongly reported after it would come right away, from the same thread
        NegativeCheck.during(Duration.ofMillis(200), "SERVING reported after the listing failed",
                () -> "SERVING".equals(lastHealth()));
        assertEquals("NOT_SERVING test: daemon killed", health.get(health.size() - 1), health.toString());
        assertFalse(monitor.connected());
    }

    /** Five running domains and a subscriber that asked for a snapshot and has read nothing: it waits to go out. */
    private RecordingSink subscriberWithItsSnapshotUnread(int bufferSize) throws Exception {
        for (int i = 0; i < 5; i++) {
            source.setSilently("uuid-" + i, "vm-" + i, 1);
        }
        start(10_000, bufferSize);
        RecordingSink sink = new RecordingSink();
        sink.ready = false;
        monitor.subscribe(new EventsMonitor.SubscribeSpec(SubscriptionFilter.allDomains(List.of()), true, 0), sink);
        return sink;
    }

    @Test
    void aStreamEndedInTheMiddleOfItsSnapshotGivesNoResumePoint() throws Exception {
        RecordingSink sink = subscriberWithItsSnapshotUnread(1_000);
        monitor.stop();
        assertTrue(sink.awaitEnd(WAIT));
        assertEquals(StreamEnd.SHUTDOWN, sink.end);
        // resuming after the snapshot's point would say "resumed" and never send the domains not sent yet
        assertEquals(0, sink.resumeAfter, sink.endMessage);
        assertTrue(sink.endMessage.contains("include_snapshot"), sink.endMessage);
        assertFalse(sink.endMessage.contains("resume_after_sequence ="), "no resume point is offered: " + sink.endMessage);
    }

    @Test
    void aClientThatStopsReadingInTheMiddleOfItsSnapshotIsCutOff() throws Exception {
        RecordingSink sink = subscriberWithItsSnapshotUnread(10);
        for (int i = 0; i < 20; i++) {
            source.fire("uuid-0", "vm-0", i % 2 == 0 ? SUSPENDED : RESUMED, 0);
        }
        assertTrue(sink.awaitEnd(Duration.ofSeconds(10)), "cut off after the stall grace (1 s)");
        assertEquals(StreamEnd.OVERFLOW, sink.end);
        assertEquals(0, sink.resumeAfter, sink.endMessage);
        // the stream is ended first, then the subscription leaves the monitor
        awaitTrue(() -> monitor.subscriberCount() == 0, "the cut-off subscription removed");
    }

    /**
     * A subscriber to vm-a that received an event, then stopped reading with vm-a's next events waiting, and had vm-b
     * added with include_snapshot: vm-b's state waits behind those events, not sent yet.
     */
    private Subscriber subscriberWithTheSnapshotOfAnAddedDomainUnsent(RecordingSink sink) throws Exception {
        Subscriber subscriber = monitor.subscribe(new EventsMonitor.SubscribeSpec(SubscriptionFilter.domains(
                List.of(DomainKey.name("vm-a")), List.of()), false, 0), sink);
        source.fire("uuid-a", "vm-a", SUSPENDED, 0);
        assertTrue(sink.awaitEvents(events -> events.size() == 1, WAIT));
        sink.ready = false;
        long next = monitor.journal().nextSequence();
        source.fire("uuid-a", "vm-a", RESUMED, 0);
        awaitTrue(() -> monitor.journal().lastSequence() >= next, "journaled");
        monitor.modify(subscriber.id(), List.of(DomainKey.uuid("uuid-b")), List.of(), true);
        return subscriber;
    }

    @Test
    void aStreamEndedBeforeTheSnapshotOfAddedDomainsWasSentGivesNoResumePoint() throws Exception {
        source.setSilently("uuid-a", "vm-a", 1);
        source.setSilently("uuid-b", "vm-b", 1);
        start(10_000, 1_000);
        RecordingSink leaving = new RecordingSink();
        Subscriber unsubscribed = subscriberWithTheSnapshotOfAnAddedDomainUnsent(leaving);
        RecordingSink stopped = new RecordingSink();
        subscriberWithTheSnapshotOfAnAddedDomainUnsent(stopped);
        // resuming after the last event sent would never send vm-b's state: as when the first snapshot is cut short
        assertEquals(0, monitor.unsubscribe(unsubscribed.id()), "Unsubscribe's last_sent_sequence");
        monitor.stop();
        assertTrue(stopped.awaitEnd(WAIT));
        assertEquals(StreamEnd.SHUTDOWN, stopped.end);
        assertEquals(0, stopped.resumeAfter, stopped.endMessage);
        assertTrue(stopped.endMessage.contains("include_snapshot"), stopped.endMessage);
        assertTrue(stopped.itemsOf(StreamItem.SnapshotDomain.class).isEmpty(), "vm-b's state was never sent");
    }

    @Test
    void aClientCutOffBeforeTheSnapshotOfAddedDomainsWasSentGetsNoResumePoint() throws Exception {
        source.setSilently("uuid-a", "vm-a", 1);
        source.setSilently("uuid-b", "vm-b", 1);
        start(10_000, 5);
        RecordingSink sink = new RecordingSink();
        subscriberWithTheSnapshotOfAnAddedDomainUnsent(sink);
        for (int i = 0; i < 10; i++) {
            source.fire("uuid-a", "vm-a", i % 2 == 0 ? SUSPENDED : RESUMED, 0);
        }
        assertTrue(sink.awaitEnd(WAIT), "cut off after the stall grace (1 s)");
        assertEquals(StreamEnd.OVERFLOW, sink.end);
        assertEquals(0, sink.resumeAfter, sink.endMessage);
        assertTrue(sink.endMessage.contains("include_snapshot"), sink.endMessage);
        assertFalse(sink.endMessage.contains("resume_after_sequence ="), "no resume point is offered: " + sink.endMessage);
        assertTrue(sink.itemsOf(StreamItem.SnapshotDomain.class).isEmpty(), "vm-b's state was never sent");
    }

    @Test
    void transitionsReportedWhileTheResyncListsAreNotReportedTwiceWhateverComesBetween() throws Exception {
        start(10_000, 1_000);
        RecordingSink sink = new RecordingSink();
        monitor.subscribe(all(), sink);
        source.disconnect();
        awaitTrue(() -> !monitor.connected(), "disconnected");
        // a domain defined and started while the listing runs; QEMU reports RESUMED between DEFINED and STARTED
        source.duringNextListing = () -> {
            source.fire("uuid-n", "vm-n", DEFINED, 0);
            source.fire("uuid-n", "vm-n", RESUMED, 0);
            source.fire("uuid-n", "vm-n", STARTED, 0);
        };
        source.reconnect();
        awaitTrue(monitor::connected, "reconnected");
        source.fire("uuid-n", "vm-n", SUSPENDED, 0);
        assertTrue(sink.awaitEvents(events -> events.stream().anyMatch(e -> e.kind() == EventKind.PAUSED), WAIT));
        assertEquals(List.of("CREATED resync", "POWERED_ON resync", "RESUMED", "PAUSED"), sink.events().stream()
                .map(e -> e.kind() + (e.resync() ? " resync" : "")).toList());
    }

    @Test
    void subscriptionsCanAddAndRemoveDomainsWhileOpen() throws Exception {
        source.setSilently("uuid-b", "vm-b", 1);
        start(10_000, 1_000);
        RecordingSink sink = new RecordingSink();
        Subscriber subscriber = monitor.subscribe(new EventsMonitor.SubscribeSpec(SubscriptionFilter.domains(
                List.of(DomainKey.name("vm-a")), List.of()), false, 0), sink);
        long first = monitor.journal().nextSequence();
        source.fire("uuid-a", "vm-a", STARTED, 0);
        source.fire("uuid-b", "vm-b", SUSPENDED, 0);
        assertTrue(sink.awaitEvents(events -> events.size() == 1, WAIT));
        awaitTrue(() -> monitor.journal().lastSequence() == first + 1, "both journaled");
        EventsMonitor.ModifyResult result = monitor.modify(subscriber.id(), List.of(DomainKey.uuid("uuid-b")),
                List.of(DomainKey.name("vm-a")), true);
        assertFalse(result.filter().allDomainsSelected());
        assertEquals(List.of(DomainKey.uuid("uuid-b")), result.filter().domains());
        source.fire("uuid-a", "vm-a", STOPPED, 0);
        source.fire("uuid-b", "vm-b", 4, 0);
        assertTrue(sink.awaitEvents(events -> events.size() == 2, WAIT));
        // Bounded negative check: vm-a's stop, journaled before vm-b's resume, would have been sent before it
        // (events go out in journal order); 50 ms more covers anything sent late.
        NegativeCheck.during(Duration.ofMillis(50), "an event beyond the two", () -> sink.events().size() > 2);
        assertEquals(List.of("vm-a:POWERED_ON", "vm-b:RESUMED"),
                sink.events().stream().map(e -> e.name() + ":" + e.kind()).toList());
        List<StreamItem.SnapshotDomain> snapshot = sink.itemsOf(StreamItem.SnapshotDomain.class);
        assertEquals(1, snapshot.size());
        assertEquals(VmState.PAUSED, snapshot.get(0).state(), "the state as of the change");
        int snapshotIndex = sink.items.indexOf(snapshot.get(0));
        int resumedIndex = sink.items.indexOf(sink.itemsOf(StreamItem.Event.class).get(1));
        assertTrue(snapshotIndex < resumedIndex, "the added domain's state comes before its events");

        AimException unknown = assertThrows(AimException.class,
                () -> monitor.modify("no-such-id", List.of(), List.of(), false));
        assertEquals(Status.Code.NOT_FOUND, unknown.code());
        RecordingSink everything = new RecordingSink();
        Subscriber all = monitor.subscribe(all(), everything);
        AimException refused = assertThrows(AimException.class,
                () -> monitor.modify(all.id(), List.of(), List.of(DomainKey.name("vm-a")), false));
        assertEquals(Status.Code.FAILED_PRECONDITION, refused.code());
    }

    @Test
    void aChangeAppliesOnlyToEventsAfterItEvenForASubscriberThatIsBehind() throws Exception {
        start(10_000, 1_000);
        RecordingSink sink = new RecordingSink();
        sink.ready = false; // its stream takes nothing yet: the events wait in the journal
        Subscriber subscriber = monitor.subscribe(new EventsMonitor.SubscribeSpec(SubscriptionFilter.domains(
                List.of(DomainKey.name("vm-a"), DomainKey.uuid("uuid-b")), List.of()), false, 0), sink);
        long first = monitor.journal().nextSequence();
        source.fire("uuid-a", "vm-a", STARTED, 0);
        source.fire("uuid-b", "vm-b", STARTED, 0);
        source.fire("uuid-c", "vm-c", STARTED, 0);
        source.fire("uuid-a", "vm-a", SUSPENDED, 0);
        awaitTrue(() -> monitor.journal().lastSequence() == first + 3, "journaled");
        EventsMonitor.ModifyResult result = monitor.modify(subscriber.id(), List.of(DomainKey.name("vm-c")),
                List.of(DomainKey.name("vm-a")), true);
        assertEquals(first + 3, result.effectiveAfterSequence());
        source.fire("uuid-a", "vm-a", RESUMED, 0);
        source.fire("uuid-c", "vm-c", SUSPENDED, 0);
        source.fire("uuid-b", "vm-b", SUSPENDED, 0);
        awaitTrue(() -> monitor.journal().lastSequence() == first + 6, "journaled");
        assertTrue(sink.items.isEmpty(), "nothing was sent before the stream was ready");

        sink.ready = true;
        subscriber.signal();
        // Sent in journal order: once the last event is there, every decision was made.
        assertTrue(sink.awaitEvents(events -> !events.isEmpty()
                && events.get(events.size() - 1).sequence() == first + 6, WAIT), "got " + sink.events());
        assertEquals(List.of("vm-a:POWERED_ON", "vm-b:POWERED_ON", "vm-a:PAUSED", "vm-c:PAUSED", "vm-b:PAUSED"),
                sink.events().stream().map(e -> e.name() + ":" + e.kind()).toList(),
                "before the change with the old filter, after it with the new one");
        StreamItem.SnapshotStart snapshot = sink.itemsOf(StreamItem.SnapshotStart.class).get(0);
        assertEquals(first + 3, snapshot.asOfSequence());
        List<StreamItem.Event> events = sink.itemsOf(StreamItem.Event.class);
        assertTrue(sink.items.indexOf(events.get(2)) < sink.items.indexOf(snapshot)
                && sink.items.indexOf(snapshot) < sink.items.indexOf(events.get(3)),
                "the added domain's state as of the change comes between the events before and after it");
    }

    @Test
    void aDomainWithoutADefinitionThatStopsWhileTheResyncListsLeavesNoGhost() throws Exception {
        source.setTransientSilently("uuid-t", "vm-t", 1);
        source.setSilently("uuid-d", "vm-d", 5);
        start(10_000, 1_000);
        RecordingSink sink = new RecordingSink();
        monitor.subscribe(all(), sink);
        source.disconnect();
        awaitTrue(() -> !monitor.connected(), "disconnected");
        // It stops, and with it goes, while the listing runs: the resync finds it gone, and libvirt's STOPPED
        // arrives after that. The stop is what the resync reported; it must not bring the domain back as SHUTOFF.
        source.duringNextListing = () -> source.fire("uuid-t", "vm-t", STOPPED, 0);
        source.reconnect();
        awaitTrue(monitor::connected, "reconnected");
        source.fire("uuid-d", "vm-d", STARTED, 0); // after the live STOPPED in the dispatcher's order
        assertTrue(sink.awaitEvents(events -> events.stream().anyMatch(e -> e.name().equals("vm-d")), WAIT),
                "got " + sink.events());
        assertEquals(List.of("vm-t:DESTROYED->UNDEFINED resync", "vm-d:POWERED_ON->RUNNING"), sink.events().stream()
                .map(e -> e.name() + ":" + e.kind() + "->" + e.state() + (e.resync() ? " resync" : "")).toList());
        assertEquals(java.util.Map.of("uuid-d", VmState.RUNNING), monitor.knownStates(), "no ghost");
    }

    @Test
    void domainsWithoutADefinitionAreGoneOnceTheyStop() throws Exception {
        source.setSilently("uuid-a", "vm-a", 5);
        start(10_000, 1_000);
        RecordingSink sink = new RecordingSink();
        monitor.subscribe(all(), sink);
        source.fire("uuid-a", "vm-a", STARTED, 0);
        source.fire("uuid-a", "vm-a", UNDEFINED, 0); // undefined while running: it runs on, transient
        source.fire("uuid-a", "vm-a", SUSPENDED, 0);
        source.fire("uuid-a", "vm-a", STOPPED, 1);
        source.fire("uuid-t", "vm-t", RESUMED, 0); // created without a definition (QEMU: RESUMED, then STARTED)
        source.fire("uuid-t", "vm-t", STARTED, 0);
        source.fire("uuid-t", "vm-t", STOPPED, 0);
        source.fire("uuid-p", "vm-p", STARTED, 0);
        source.fire("uuid-p", "vm-p", DEFINED, 1); // a transient domain made persistent
        source.fire("uuid-p", "vm-p", STOPPED, 0);
        assertTrue(sink.awaitEvents(events -> events.size() == 10, WAIT), "got " + sink.events());
        assertEquals(List.of("vm-a:POWERED_ON->RUNNING", "vm-a:DESTROYED->RUNNING", "vm-a:PAUSED->PAUSED",
                "vm-a:POWERED_OFF->UNDEFINED", "vm-t:RESUMED->RUNNING", "vm-t:POWERED_ON->RUNNING",
                "vm-t:POWERED_OFF->UNDEFINED",
                "vm-p:POWERED_ON->RUNNING", "vm-p:CREATED->RUNNING", "vm-p:POWERED_OFF->SHUTOFF"),
                sink.events().stream().map(e -> e.name() + ":" + e.kind() + "->" + e.state()).toList());
        assertEquals(java.util.Map.of("uuid-p", VmState.SHUTOFF), monitor.knownStates(), "no ghost");
        RecordingSink late = new RecordingSink();
        monitor.subscribe(new EventsMonitor.SubscribeSpec(SubscriptionFilter.allDomains(List.of()), true, 0), late);
        awaitTrue(() -> !late.itemsOf(StreamItem.SnapshotEnd.class).isEmpty(), "snapshot");
        assertEquals(List.of("vm-p"), late.itemsOf(StreamItem.SnapshotDomain.class).stream()
                .map(StreamItem.SnapshotDomain::name).toList());

        long last = monitor.journal().lastSequence();
        source.disconnect();
        awaitTrue(() -> !monitor.connected(), "disconnected");
        source.reconnect();
        awaitTrue(monitor::connected, "reconnected");
        assertEquals(last, monitor.journal().lastSequence(), "the resync found nothing to report");
    }

    @Test
    void aDomainAlreadyRunningWithoutADefinitionIsKnownFromTheListing() throws Exception {
        source.setTransientSilently("uuid-t", "vm-t", 1);  // running before the agent started
        source.setSilently("uuid-d", "vm-d", 1);
        start(10_000, 1_000);
        RecordingSink sink = new RecordingSink();
        monitor.subscribe(all(), sink);
        source.fire("uuid-t", "vm-t", STOPPED, 0);
        source.fire("uuid-d", "vm-d", STOPPED, 0);
        assertTrue(sink.awaitEvents(events -> events.size() == 2, WAIT), "got " + sink.events());
        assertEquals(List.of("vm-t:POWERED_OFF->UNDEFINED", "vm-d:POWERED_OFF->SHUTOFF"),
                sink.events().stream().map(e -> e.name() + ":" + e.kind() + "->" + e.state()).toList());
        assertEquals(java.util.Map.of("uuid-d", VmState.SHUTOFF), monitor.knownStates(), "no ghost");

        // the same after a reconnection: the resync's listing tells too
        source.disconnect();
        awaitTrue(() -> !monitor.connected(), "disconnected");
        source.setTransientSilently("uuid-u", "vm-u", 1);
        source.reconnect();
        awaitTrue(monitor::connected, "reconnected");
        source.fire("uuid-u", "vm-u", STOPPED, 0);
        // the resync reports it as it found it (appeared, running), then its stop
        assertTrue(sink.awaitEvents(events -> events.size() == 5, WAIT), "got " + sink.events());
        assertEquals("vm-u:POWERED_OFF->UNDEFINED", sink.events().stream().skip(4)
                .map(e -> e.name() + ":" + e.kind() + "->" + e.state()).findFirst().orElseThrow());
        assertEquals(java.util.Map.of("uuid-d", VmState.SHUTOFF), monitor.knownStates(), "no ghost");
    }

    @Test
    void unsubscribeAnswersWhatTheStreamReallyGotWhileADrainIsUnderWay() throws Exception {
        start(10_000, 1_000);
        long first = monitor.journal().nextSequence();
        for (int i = 0; i < 500; i++) {
            source.fire("uuid-a", "vm-a", i % 2 == 0 ? SUSPENDED : RESUMED, 0);
        }
        // the dispatcher journals them: the replay below must find all 500
        awaitTrue(() -> monitor.journal().lastSequence() == first + 499, "journaled");
        RecordingSink slow = new RecordingSink() {
            @Override
            public void send(StreamItem item) {
                super.send(item);
                sleepMillis(1);   // a replay that takes a while: Unsubscribe comes in the middle of a drain's turn
            }
        };
        Subscriber subscriber = monitor.subscribe(new EventsMonitor.SubscribeSpec(
                SubscriptionFilter.allDomains(List.of()), false, first - 1), slow);
        assertTrue(slow.awaitEvents(events -> events.size() >= 5, WAIT));
        long last = monitor.unsubscribe(subscriber.id());
        assertTrue(slow.awaitEnd(WAIT));
        List<MonitorEvent> received = slow.events();
        assertTrue(received.size() < 500, "ended in the middle of the replay");
        assertEquals(received.get(received.size() - 1).sequence(), last,
                "the last sequence the stream got, not the one it had when Unsubscribe came");
    }

    @Test
    void aStreamWhoseSendFailsEndsWithAStatusAndAResumePointInsteadOfHanging() throws Exception {
        start(10_000, 1_000);
        RecordingSink breaking = new RecordingSink() {
            @Override
            public void send(StreamItem item) {
                if (!events().isEmpty()) {
                    throw new IllegalStateException("encoder bug");
                }
                super.send(item);
            }
        };
        monitor.subscribe(all(), breaking);
        source.fire("uuid-a", "vm-a", STARTED, 0);
        source.fire("uuid-a", "vm-a", SUSPENDED, 0);
        assertTrue(breaking.awaitEnd(WAIT), "the stream was never ended");
        assertEquals(StreamEnd.FAILED, breaking.end);
        assertEquals(breaking.events().get(0).sequence(), breaking.resumeAfter);
        assertTrue(breaking.endMessage.startsWith("the agent failed to send on this stream"), breaking.endMessage);
        awaitTrue(() -> monitor.subscriberCount() == 0, "the subscription removed");
    }

    @Test
    void modificationsCannotGrowASubscriptionOrItsUnreadSnapshotsWithoutLimit() throws Exception {
        start(10_000, 1_000);
        RecordingSink sink = new RecordingSink();
        Subscriber subscriber = monitor.subscribe(new EventsMonitor.SubscribeSpec(SubscriptionFilter.domains(
                List.of(), List.of()), false, 0), sink);
        List<DomainKey> first = new ArrayList<>();
        List<DomainKey> second = new ArrayList<>();
        for (int i = 0; i < 6_000; i++) {
            first.add(DomainKey.name("vm-" + i));
            second.add(DomainKey.name("vm-x" + i));
        }
        monitor.modify(subscriber.id(), first, List.of(), false);
        AimException tooMany = assertThrows(AimException.class,
                () -> monitor.modify(subscriber.id(), second, List.of(), false));
        assertEquals(Status.Code.FAILED_PRECONDITION, tooMany.code());
        assertEquals("SUBSCRIPTION_DOMAIN_LIMIT", tooMany.reason().name());
        assertEquals(6_000, subscriber.requestedFilter().domains().size(), "the refused change is not applied");

        sink.ready = false;   // a client that asks for snapshots and reads none
        for (int i = 0; i < Subscriptions.MAX_UNSENT_SNAPSHOTS; i++) {
            monitor.modify(subscriber.id(), List.of(DomainKey.name("vm-1")), List.of(), true);
        }
        AimException unread = assertThrows(AimException.class,
                () -> monitor.modify(subscriber.id(), List.of(DomainKey.name("vm-1")), List.of(), true));
        assertEquals("SNAPSHOTS_NOT_READ", unread.reason().name());
        monitor.modify(subscriber.id(), List.of(DomainKey.name("vm-2")), List.of(), false);   // without: fine
    }

    @Test
    void addingDomainsToAnAllDomainsSubscriptionQueuesNoSnapshot() throws Exception {
        start(10_000, 1_000);
        RecordingSink sink = new RecordingSink();
        Subscriber subscriber = monitor.subscribe(all(), sink);
        source.fire("uuid-a", "vm-a", STARTED, 0);
        assertTrue(sink.awaitEvents(events -> events.size() == 1, WAIT));
        monitor.modify(subscriber.id(), List.of(DomainKey.name("vm-a")), List.of(), true);
        assertEquals(sink.events().get(0).sequence(), monitor.unsubscribe(subscriber.id()),
                "a resume point: nothing changed, so no snapshot was pending");
        assertTrue(sink.itemsOf(StreamItem.SnapshotStart.class).isEmpty());
    }

    /** The scenario's slow client, not a wait. */
    private static void sleepMillis(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException interrupted) {
            Thread.currentThread().interrupt();
        }
    }

    @Test
    void unsubscribeEndsTheStreamNormallyAndStopEndsEveryStream() throws Exception {
        start(10_000, 1_000);
        RecordingSink leaving = new RecordingSink();
        RecordingSink staying = new RecordingSink();
        Subscriber subscriber = monitor.subscribe(all(), leaving);
        monitor.subscribe(all(), staying);
        source.fire("uuid-a", "vm-a", STARTED, 0);
        assertTrue(leaving.awaitEvents(events -> events.size() == 1, WAIT));
        long last = monitor.unsubscribe(subscriber.id());
        assertTrue(leaving.awaitEnd(WAIT));
        assertEquals(StreamEnd.UNSUBSCRIBED, leaving.end);
        assertEquals(leaving.events().get(0).sequence(), last);
        assertThrows(AimException.class, () -> monitor.unsubscribe(subscriber.id()));
        awaitTrue(() -> monitor.subscriberCount() == 1, "removed");

        monitor.stop();
        assertTrue(staying.awaitEnd(WAIT));
        assertEquals(StreamEnd.SHUTDOWN, staying.end);
        AimException refused = assertThrows(AimException.class, () -> monitor.subscribe(all(), new RecordingSink()));
        assertEquals(Status.Code.UNAVAILABLE, refused.code());
        assertEquals(0, source.listenerCount(), "the monitor stopped listening");
        monitor = null;
    }

    @Test
    void withoutEverReachingLibvirtdSubscribeIsUnavailableUntilItIsReached() throws Exception {
        monitor = newMonitor(MonitorConfig.defaults());
        AimException noSource = assertThrows(AimException.class, () -> monitor.subscribe(all(), new RecordingSink()));
        assertEquals(Status.Code.UNAVAILABLE, noSource.code());
        source.disconnect();
        monitor.attach(source);
        awaitTrue(() -> !health.isEmpty(), "health reported");
        assertTrue(health.get(0).startsWith("NOT_SERVING"), health.toString());
        AimException notYet = assertThrows(AimException.class, () -> monitor.subscribe(all(), new RecordingSink()));
        assertEquals(Status.Code.UNAVAILABLE, notYet.code());
        assertTrue(notYet.getMessage().contains("has not reached libvirtd"), notYet.getMessage());
        source.reconnect();
        awaitTrue(monitor::connected, "connected");
        monitor.subscribe(all(), new RecordingSink());
    }

    @Test
    void aListingThatFailsOnALiveConnectionIsRetried() throws Exception {
        source.failingListings = 1;
        monitor = newMonitor(MonitorConfig.defaults());
        monitor.attach(source);
        awaitTrue(() -> lastHealth().equals("SERVING"), "SERVING after the retry, with no reconnection event");
        assertTrue(monitor.connected());
        assertTrue(health.get(0).contains("transient listing failure"), health.toString());
    }

    @Test
    void listEventsReadsTheJournalPageByPage() throws Exception {
        start(100, 10);
        long first = monitor.journal().nextSequence();
        for (int i = 0; i < 30; i++) {
            source.fire("uuid-" + (i % 3), "vm" + (i % 3), STARTED, 0);
        }
        awaitTrue(() -> monitor.journal().lastSequence() == first + 29, "journaled");
        SubscriptionFilter vm1 = SubscriptionFilter.domains(List.of(DomainKey.name("vm1")), List.of());
        EventJournal.Page page = monitor.listEvents(vm1, first - 1, 4);
        assertEquals(List.of(first + 1, first + 4, first + 7, first + 10), sequences(page.events()));
        for (int i = 0; i < 200; i++) {
            source.fire("uuid-x", "x", STARTED, 0);
        }
        awaitTrue(() -> monitor.journal().lastSequence() == first + 229, "journaled");
        AimException gone = assertThrows(AimException.class, () -> monitor.listEvents(vm1, first, 4));
        assertEquals(Status.Code.OUT_OF_RANGE, gone.code());
    }
}
