package com.abiquo.aim.libvirt.connection;

import java.time.Duration;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;

/** Collects what a DomainEventSource reports, for assertions. */
public final class RecordingListener implements DomainEventSource.Listener {
    public final BlockingQueue<DomainEventSource.DomainLifecycleEvent> events = new LinkedBlockingQueue<>();
    public final BlockingQueue<String> connectionChanges = new LinkedBlockingQueue<>();
    /** Why each disconnection happened, as the source said. */
    public final BlockingQueue<String> disconnectionReasons = new LinkedBlockingQueue<>();

    @Override
    public void onLifecycleEvent(DomainEventSource.DomainLifecycleEvent event) {
        events.add(event);
    }

    @Override
    public void onConnected(boolean reconnected) {
        connectionChanges.add(reconnected ? "reconnected" : "connected");
    }

    @Override
    public void onDisconnected(String why) {
        disconnectionReasons.add(why);
        connectionChanges.add("disconnected");
    }

    /** Waits for the first event that matches, skipping others; fails after the timeout. */
    public DomainEventSource.DomainLifecycleEvent await(Predicate<DomainEventSource.DomainLifecycleEvent> match,
                                                        Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (true) {
            long left = deadline - System.nanoTime();
            DomainEventSource.DomainLifecycleEvent event = events.poll(Math.max(left, 0), TimeUnit.NANOSECONDS);
            if (event == null) {
                throw new AssertionError("no matching event within " + timeout);
            }
            if (match.test(event)) {
                return event;
            }
        }
    }
}
