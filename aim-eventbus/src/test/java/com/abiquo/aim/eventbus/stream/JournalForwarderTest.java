package com.abiquo.aim.eventbus.stream;

import static com.abiquo.aim.testing.Waits.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.abiquo.aim.core.spi.EventFeed;
import com.abiquo.aim.eventbus.Backoff;
import com.abiquo.aim.eventbus.BusStatus;
import com.abiquo.aim.eventbus.PublisherMetrics;
import com.abiquo.aim.testing.RecordingHealth;
import com.abiquo.aim.v1.DomainEvent;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * The forwarder's decisions on cases a real Redis seldom produces: a stream that already holds sequences above the
 * journal, and a sink that refused an event but stored later ones. The sink here is a fake (a list), named as such.
 */
class JournalForwarderTest {
    private static final Duration WAIT = Duration.ofSeconds(20);

    /** A journal of consecutive events from {@code first}, appended by the test. */
    private static final class ListFeed implements EventFeed {
        private final List<DomainEvent> events = new CopyOnWriteArrayList<>();
        private final long first;

        ListFeed(long first) {
            this.first = first;
        }

        void append(int count) {
            List<DomainEvent> more = new ArrayList<>();
            for (int index = 0; index < count; index++) {
                more.add(DomainEvent.newBuilder().setSequence(first + events.size() + index).build());
            }
            synchronized (this) {
                events.addAll(more); // at once, as one journal append would be seen
                notifyAll(); // wakes the forwarder waiting in awaitAfter, as the journal does
            }
        }

        @Override
        public long newestSequence() {
            return first + events.size() - 1;
        }

        @Override
        public long oldestSequence() {
            return first;
        }

        @Override
        public Optional<List<DomainEvent>> readAfter(long afterSequence, int max) {
            if (afterSequence < first - 1 || afterSequence > newestSequence()) {
                return Optional.empty();
            }
            int from = (int) (afterSequence - first + 1);
            return Optional.of(List.copyOf(events.subList(from, Math.min(events.size(), from + max))));
        }

        @Override
        public synchronized boolean awaitAfter(long sequence, Duration timeout) throws InterruptedException {
            long deadline = System.nanoTime() + timeout.toNanos();
            while (newestSequence() <= sequence) {
                long left = deadline - System.nanoTime();
                if (left <= 0) {
                    return false;
                }
                TimeUnit.NANOSECONDS.timedWait(this, left);
            }
            return true;
        }

        @Override
        public Optional<Snapshot> snapshot() {
            return Optional.of(new Snapshot(newestSequence(), List.of()));
        }
    }

    /** Fake sink: what it stores goes to a list; the stream's top is given by the test. */
    private static final class FakeSink implements EventSink {
        final List<String> stored = new CopyOnWriteArrayList<>();
        volatile long top;
        volatile boolean refuseWithGapOnce;

        @Override
        public String describe() {
            return "fake sink";
        }

        @Override
        public long open() {
            return top;
        }

        @Override
        public void publish(List<DomainEvent> events) throws SinkFailure {
            if (refuseWithGapOnce) {
                refuseWithGapOnce = false;
                DomainEvent last = events.get(events.size() - 1);
                stored.add("event " + last.getSequence());
                top = last.getSequence();
                throw new SinkFailure("refused " + events.get(0).getSequence() + ", took later ones", null, true);
            }
            for (DomainEvent event : events) {
                stored.add("event " + event.getSequence());
                top = event.getSequence();
            }
        }

        @Override
        public void publishSnapshot(EventFeed.Snapshot snapshot) {
            stored.add("marker " + snapshot.asOfSequence());
            top = snapshot.asOfSequence();
        }

        @Override
        public void close() {
        }
    }

    private final RecordingHealth health = new RecordingHealth();
    private final BusStatus status = new BusStatus("bus", "test bus", health, Duration.ofSeconds(60), System::nanoTime);

    private Thread start(ListFeed feed, FakeSink sink) {
        JournalForwarder forwarder = new JournalForwarder(() -> Optional.of(feed), sink, status, 100,
                new Backoff(Duration.ofMillis(10), Duration.ofMillis(50)), PublisherMetrics.detached("stream"));
        Thread thread = new Thread(forwarder);
        thread.setDaemon(true);
        thread.start();
        return thread;
    }

    /**
     * An earlier run whose clock was ahead left sequence 2000; this run numbers from 1000. Without the marker at the
     * first start, this run's events 1000..2000 would be skipped and 2001.. published as if they followed.
     */
    @Test
    void aStreamAboveTheJournalIsNeverWrittenBelowItsTopAndGetsAMarkerOnceTheJournalPassesIt() throws Exception {
        ListFeed feed = new ListFeed(1000);
        feed.append(5); // 1000..1004
        FakeSink sink = new FakeSink();
        sink.top = 2000; // another writer, or an earlier run with a clock ahead
        Thread thread = start(feed, sink);
        await("NOT_SERVING naming the stream's top", WAIT,
                () -> health.status("bus").contains("already holds sequence 2000"));
        assertTrue(sink.stored.isEmpty(), sink.stored.toString());
        feed.append(1001); // up to 2005
        await("a marker above the old top", WAIT, () -> sink.stored.contains("marker 2005"));
        feed.append(2);
        await("events after it", WAIT, () -> sink.stored.contains("event 2007"));
        assertEquals(List.of("marker 2005", "event 2006", "event 2007"), sink.stored);
        thread.interrupt();
    }

    /**
     * An earlier run left exactly this run's newest sequence: no hole of this run's, so the status names the
     * stream's other writer or the clock, and the next event brings the marker.
     */
    @Test
    void aStreamWhoseTopIsTheJournalsNewestAtTheFirstStartIsAnotherWritersUntilTheNextEvent() throws Exception {
        ListFeed feed = new ListFeed(1000);
        feed.append(5); // 1000..1004
        FakeSink sink = new FakeSink();
        sink.top = 1004;
        Thread thread = start(feed, sink);
        await("NOT_SERVING naming the stream's top", WAIT, () -> health.status("bus").contains(
                "fake sink already holds sequence 1004, at or above this agent's newest event 1004"));
        assertTrue(health.history("bus").stream().noneMatch(status -> status.contains("hole")),
                health.history("bus").toString());
        feed.append(1);
        await("a marker above the old top", WAIT, () -> sink.stored.contains("marker 1005"));
        assertEquals(List.of("marker 1005"), sink.stored);
        thread.interrupt();
    }

    @Test
    void anEventRefusedWhileLaterOnesWereStoredIsRepairedByAMarker() throws Exception {
        ListFeed feed = new ListFeed(1001);
        feed.append(3);
        FakeSink sink = new FakeSink();
        sink.top = 0; // the first start: a marker as of 1003
        Thread thread = start(feed, sink);
        await("the first marker", WAIT, () -> sink.stored.contains("marker 1003"));
        sink.refuseWithGapOnce = true;
        feed.append(3); // 1004..1006: 1004 refused, 1006 stored
        // the refusal is reported until the forwarder's next try, tens of ms later; then the wait for the next event
        await("the hole reported", WAIT, () -> health.status("bus").contains("fake sink holds this agent's newest "
                + "event 1006 with a hole below it: a snapshot repairs it with the next event"));
        assertTrue(health.history("bus").stream().anyMatch(status -> status.contains("refused 1004, took later ones")),
                health.history("bus").toString());
        feed.append(1); // 1007: the journal passes the stream's top again
        await("a marker repairing the hole", WAIT, () -> sink.stored.contains("marker 1007"));
        List<String> expected = new ArrayList<>(List.of("marker 1003", "event 1006", "marker 1007"));
        assertEquals(expected, sink.stored);
        thread.interrupt();
    }
}
