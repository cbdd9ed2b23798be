package com.abiquo.aim.libvirt.events;

import static org.junit.jupiter.api.Assertions.assertTrue;

import com.abiquo.aim.libvirt.connection.DomainEventSource.DomainLifecycleEvent;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * A burst's send round that queues behind another item (here a disconnection) must still be sent, and later events
 * must still find their way out. The dispatcher is held inside a send so the queue order can be arranged.
 */
class SendRoundTest {
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
    void aSendRoundQueuedBehindADisconnectionIsSentAndLaterEventsStillFlow() throws Exception {
        monitor = new EventsMonitor(new MonitorConfig(10_000, 1_000), new EventsMonitor.ConnectionObserver() {
            @Override
            public void connected() {
            }

            @Override
            public void disconnected(String why) {
            }
        }, System::nanoTime, System::currentTimeMillis, 1, Duration.ofSeconds(1));
        monitor.attach(source);
        long deadline = System.nanoTime() + WAIT.toNanos();
        while (!monitor.connected() && System.nanoTime() < deadline) {
            Thread.sleep(2);
        }
        CountDownLatch dispatcherSending = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        RecordingSink sink = new RecordingSink() {
            @Override
            public void send(StreamItem item) {
                if (item instanceof StreamItem.Event && dispatcherSending.getCount() > 0
                        && Thread.currentThread().getName().equals("aim-events-dispatcher")) {
                    dispatcherSending.countDown();
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
        // The drain pool sends Started; until that drain is over the subscriber is taken, and the round below would
        // not be the dispatcher's to send.
        BooleanSupplier startedSent = () -> subscriber.idle() && !sink.itemsOf(StreamItem.Started.class).isEmpty();
        deadline = System.nanoTime() + WAIT.toNanos();
        while (!startedSent.getAsBoolean() && System.nanoTime() < deadline) {
            Thread.sleep(1);
        }
        assertTrue(startedSent.getAsBoolean(), "Started sent and its drain over");
        long now = System.nanoTime();
        event("a", STARTED, now);           // isolated: sent by this thread
        event("a", STOPPED, now + 1_000);   // a burst: a send round, in which the dispatcher is held
        assertTrue(dispatcherSending.await(WAIT.toSeconds(), TimeUnit.SECONDS), "the dispatcher sends the round");
        monitor.onDisconnected("test");     // queued first
        now = System.nanoTime();
        event("b", STARTED, now);
        event("b", STOPPED, now + 1_000);   // its send round queues behind the disconnection
        release.countDown();
        assertTrue(sink.awaitEvents(events -> events.size() == 4, WAIT), "got " + sink.events().size());
        Thread.sleep(5);
        event("c", STARTED, System.nanoTime()); // isolated, after the burst
        event("c", STOPPED, System.nanoTime() + 2_000_000); // and one more round
        assertTrue(sink.awaitEvents(events -> events.size() == 6, WAIT), "later events must still be sent, got "
                + sink.events().size());
    }

    private void event(String uuid, int type, long receivedNanos) {
        monitor.onLifecycleEvent(new DomainLifecycleEvent(uuid, uuid, type, 0, type == STARTED ? 1 : 5, receivedNanos,
                System.currentTimeMillis()));
    }
}
