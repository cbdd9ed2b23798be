package com.abiquo.aim.libvirt.events;

import com.abiquo.aim.testing.Waits;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;

/** A subscriber sink for unit tests: records items, can pretend its stream is not ready (a stalled client). */
class RecordingSink implements SubscriberSink {
    final List<StreamItem> items = new CopyOnWriteArrayList<>();
    volatile boolean ready = true;
    volatile StreamEnd end;
    volatile String endMessage;
    volatile long resumeAfter;
    private final CountDownLatch ended = new CountDownLatch(1);

    @Override
    public boolean isReady() {
        return ready;
    }

    @Override
    public void send(StreamItem item) {
        items.add(item);
    }

    @Override
    public void end(StreamEnd reason, String message, long resumeAfterSequence) {
        end = reason;
        endMessage = message;
        resumeAfter = resumeAfterSequence;
        ended.countDown();
    }

    boolean awaitEnd(Duration timeout) throws InterruptedException {
        return ended.await(timeout.toMillis(), TimeUnit.MILLISECONDS);
    }

    List<MonitorEvent> events() {
        List<MonitorEvent> events = new ArrayList<>();
        for (StreamItem item : items) {
            if (item instanceof StreamItem.Event event) {
                events.add(event.entry().event());
            }
        }
        return events;
    }

    <T extends StreamItem> List<T> itemsOf(Class<T> type) {
        List<T> found = new ArrayList<>();
        for (StreamItem item : items) {
            if (type.isInstance(item)) {
                found.add(type.cast(item));
            }
        }
        return found;
    }

    /**
     * Waits until the recorded events satisfy the condition; returns false on a timeout, so that the caller's
     * assertion says what it expected.
     */
    boolean awaitEvents(Predicate<List<MonitorEvent>> condition, Duration timeout) {
        return Waits.holdsWithin(timeout, Waits.POLL, () -> condition.test(events()));
    }
}
