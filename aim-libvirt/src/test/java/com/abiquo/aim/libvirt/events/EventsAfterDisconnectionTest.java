package com.abiquo.aim.libvirt.events;

import static org.junit.jupiter.api.Assertions.assertTrue;

import com.abiquo.aim.libvirt.connection.DomainEventSource.DomainLifecycleEvent;
import com.abiquo.aim.testing.Waits;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Events queued behind a disconnection while a subscriber's drain is busy must still be sent, and later events must
 * still find their way out. The drain pool (one thread) is held inside a send so the queue order can be arranged.
 * (Until the pipeline became one road this held the dispatcher in a burst's "send round"; the rounds are gone.)
 */
class EventsAfterDisconnectionTest {
    private static final int STARTED = 2;
    private static final int STOPPED = 5;
    private static final Duration WAIT = Duration.ofSeconds(5);

    private final InMemoryDomainEventSource source = new InMemoryDomainEventSource();
    private EventsMonitor monitor;

    @AfterEach
    void stop() {
        if (monitor != null) {
            monitor.stop();
        }
    }

    @Test
    void eventsQueuedBehindADisconnectionWhileADrainIsHeldAreSentAndLaterEventsStillFlow() throws Exception {
        monitor = new EventsMonitor(new MonitorConfig(10_000, 1_000), new EventsMonitor.ConnectionObserver() {
            @Override
            public void connected() {
            }

            @Override
            public void disconnected(String why) {
            }
        }, System::nanoTime, System::currentTimeMillis, 1, Duration.ofSeconds(1));
        monitor.attach(source);
        Waits.await("monitor connected", WAIT, monitor::connected);
        CountDownLatch drainSending = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        RecordingSink sink = new RecordingSink() {
            @Override
            public void send(StreamItem item) {
                if (item instanceof StreamItem.Event && drainSending.getCount() > 0
                        && Thread.currentThread().getName().startsWith("aim-events-send-")) {
                    drainSending.countDown();
                    try {
                        release.await();
                    } catch (InterruptedException interrupted) {
                        Thread.currentThread().interrupt();
                    }
                }
                super.send(item);
            }
        };
        Subscriber subscriber = monitor.subscribe(new EventsMonitor.SubscribeSpec(
                SubscriptionFilter.allDomains(List.of()), false, 0), sink);
        // The drain pool sends Started; wait until that drain is over, so the next one starts with an event.
        BooleanSupplier startedSent = () -> subscriber.idle() && !sink.itemsOf(StreamItem.Started.class).isEmpty();
        Waits.await("Started sent and its drain over", WAIT, Duration.ofMillis(1), startedSent::getAsBoolean);
        long now = System.nanoTime();
        event("a", STARTED, now);
        event("a", STOPPED, now + 1_000);
        assertTrue(drainSending.await(WAIT.toSeconds(), TimeUnit.SECONDS), "the drain pool sends, and is held");
        monitor.onDisconnected("test");     // queued first
        now = System.nanoTime();
        event("b", STARTED, now);
        event("b", STOPPED, now + 1_000);   // queued behind the disconnection
        release.countDown();
        assertTrue(sink.awaitEvents(events -> events.size() == 4, WAIT), "got " + sink.events().size());
        event("c", STARTED, System.nanoTime());
        event("c", STOPPED, System.nanoTime() + 2_000_000);
        assertTrue(sink.awaitEvents(events -> events.size() == 6, WAIT), "later events must still be sent, got "
                + sink.events().size());
    }

    private void event(String uuid, int type, long receivedNanos) {
        monitor.onLifecycleEvent(new DomainLifecycleEvent(uuid, uuid, type, 0, receivedNanos,
                System.currentTimeMillis()));
    }
}
