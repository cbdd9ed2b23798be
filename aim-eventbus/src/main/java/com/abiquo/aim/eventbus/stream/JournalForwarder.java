package com.abiquo.aim.eventbus.stream;

import static java.util.Objects.requireNonNull;

import com.abiquo.aim.core.spi.EventFeed;
import com.abiquo.aim.eventbus.Backoff;
import com.abiquo.aim.eventbus.BusStatus;
import com.abiquo.aim.eventbus.PublisherMetrics;
import com.abiquo.aim.eventbus.PublisherMetrics.ErrorKind;
import com.abiquo.aim.v1.DomainEvent;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.function.Supplier;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.Logger;

/**
 * Follows the journal the way a resuming subscriber does and copies it to a sink, on a thread of its own: batches of
 * up to {@code batchSize} events, reconnection with backoff, and after every (re)connection it starts from what the
 * sink holds. When the journal no longer reaches back there (first start, agent restart, an outage or a lag longer
 * than the journal), it stores a lost-resume-point marker and a snapshot of every domain instead.
 *
 * <p>Nothing here runs on the libvirt callback or a gRPC thread: a slow or absent sink only makes this thread fall
 * behind.
 */
public final class JournalForwarder implements Runnable {
    private static final Logger LOG = LogManager.getLogger(JournalForwarder.class);
    private static final Duration IDLE_WAIT = Duration.ofSeconds(1);

    private final Supplier<Optional<EventFeed>> feeds;
    private final EventSink sink;
    private final BusStatus status;
    private final int batchSize;
    private final Backoff backoff;
    private final PublisherMetrics metrics;
    private volatile boolean stopped;
    private volatile long published; // the sequence the sink holds everything up to (for status and tests)
    // True at first: what the stream holds then is an earlier run's (or another writer's), even where its numbers fall
    // inside this run's journal (a clock that went back across a restart), so this run always starts with a marker.
    // Also set when the sink reports a hole.
    private boolean snapshotDue = true;
    // Set when the sink reported a hole (it refused an event but kept later ones), until the marker repairs it.
    private boolean holeBelowTop;

    /** The forwarder is waiting for something other than the sink (no feed yet, no domain listing yet). */
    private static final class NotReady extends Exception {
        private static final long serialVersionUID = 1L;

        NotReady(String message) {
            super(message);
        }
    }

    public JournalForwarder(Supplier<Optional<EventFeed>> feeds, EventSink sink, BusStatus status, int batchSize,
                            Backoff backoff, PublisherMetrics metrics) {
        this.feeds = requireNonNull(feeds, "feeds is null");
        this.sink = requireNonNull(sink, "sink is null");
        this.status = requireNonNull(status, "status is null");
        this.backoff = requireNonNull(backoff, "backoff is null");
        this.metrics = requireNonNull(metrics, "metrics is null");
        metrics.published(published); // nothing yet: until Redis is reached, the lag is the whole journal
        if (batchSize < 1) {
            throw new IllegalArgumentException("batchSize must be at least 1, got " + batchSize);
        }
        this.batchSize = batchSize;
    }

    /** The sequence the sink is known to hold everything up to. */
    public long publishedSequence() {
        return published;
    }

    public void stop() {
        stopped = true;
    }

    @Override
    public void run() {
        while (!stopped) {
            EventFeed feed = null;
            boolean connecting = true;
            try {
                feed = feeds.get().orElseThrow(() -> new NotReady("the events monitor is not running (no event "
                        + "journal to follow)"));
                advance(sink.open());
                connecting = false;
                follow(feed);
            } catch (SinkFailure failure) {
                metrics.failed(ErrorKind.of(failure, connecting));
                snapshotDue |= failure.gap();
                holeBelowTop |= failure.gap();
                sink.close();
                status.notServing(sink.describe() + ": " + failure.getMessage(), behind(feed));
                pause(backoff.next());
            } catch (NotReady notReady) {
                sink.close();
                status.notServing(notReady.getMessage(), -1);
                pause(IDLE_WAIT);
            } catch (InterruptedException interrupted) {
                if (!stopped) {
                    LOG.warn("Event bus forwarder interrupted; it stops");
                }
                break;
            } catch (RuntimeException bug) {
                sink.close();
                metrics.failed(ErrorKind.INTERNAL);
                LOG.error("Event bus forwarder failed; it starts over", bug);
                status.notServing("internal error: " + bug, behind(feed));
                pause(backoff.next());
            }
        }
        sink.close();
    }

    private void follow(EventFeed feed) throws SinkFailure, NotReady, InterruptedException {
        while (!stopped) {
            Optional<List<DomainEvent>> batch = snapshotDue ? Optional.empty() : feed.readAfter(published, batchSize);
            if (batch.isEmpty()) {
                snapshot(feed);
                continue;
            }
            List<DomainEvent> events = batch.get();
            if (events.isEmpty()) {
                status.serving();
                backoff.reset();
                feed.awaitAfter(published, IDLE_WAIT);
                continue;
            }
            sink.publish(events);
            advance(events.get(events.size() - 1).getSequence());
            status.serving();
        }
    }

    /** Replaces what the journal cannot give with a marker and a snapshot. */
    private void snapshot(EventFeed feed) throws SinkFailure, NotReady, InterruptedException {
        EventFeed.Snapshot snapshot = feed.snapshot().orElseThrow(() -> new NotReady("the events monitor has not "
                + "listed the domains yet (libvirtd not reached since the agent started)"));
        if (holeBelowTop && snapshot.asOfSequence() == published) {
            // Our own newest event is the stream's top, with a hole below it (the sink refused an event but kept
            // later ones): the marker that repairs it needs a sequence above the top, so the next event's.
            status.notServing(sink.describe() + " holds this agent's newest event " + published + " with a hole "
                    + "below it: a snapshot repairs it with the next event", -1);
            feed.awaitAfter(published, IDLE_WAIT);
            return;
        }
        if (snapshot.asOfSequence() <= published) {
            // The stream holds entries up to or above our newest event: another agent writes to this key, or the
            // clock went back across a restart (sequences start from the clock). Storing ours there would be refused.
            status.notServing(sink.describe() + " already holds sequence " + published + ", at or above this "
                    + "agent's newest event " + snapshot.asOfSequence() + " (another node writes to the same stream "
                    + "key, or the clock went back): publishing resumes with a snapshot once the journal passes it",
                    -1);
            feed.awaitAfter(published, IDLE_WAIT);
            return;
        }
        long from = published;
        sink.publishSnapshot(snapshot);
        advance(snapshot.asOfSequence());
        snapshotDue = false;
        holeBelowTop = false;
        LOG.info("Event bus: {} lost its resume point (it held up to sequence {}; the journal holds {} to {}): "
                        + "published a marker and a snapshot of {} domains as of sequence {}", sink.describe(), from,
                feed.oldestSequence(), feed.newestSequence(), snapshot.domains().size(), snapshot.asOfSequence());
    }

    private void advance(long sequence) {
        published = sequence;
        metrics.published(sequence);
    }

    private long behind(EventFeed feed) {
        return feed == null ? -1 : Math.max(0, feed.newestSequence() - Math.max(published, feed.oldestSequence() - 1));
    }

    private void pause(Duration wait) {
        try {
            Thread.sleep(wait.toMillis());
        } catch (InterruptedException interrupted) {
            Thread.currentThread().interrupt();
            stopped = true;
        }
    }
}
