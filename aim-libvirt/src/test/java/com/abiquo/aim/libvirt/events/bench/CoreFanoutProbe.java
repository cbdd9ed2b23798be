package com.abiquo.aim.libvirt.events.bench;

import com.abiquo.aim.libvirt.events.EventsMonitor;
import com.abiquo.aim.libvirt.events.MonitorConfig;
import com.abiquo.aim.libvirt.events.StreamEnd;
import com.abiquo.aim.libvirt.events.StreamItem;
import com.abiquo.aim.libvirt.events.SubscriberSink;
import com.abiquo.aim.libvirt.events.SubscriptionFilter;
import com.abiquo.aim.testing.Waits;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** The monitor's own fan-out cost, without gRPC: subscribers whose sink counts and drops. */
final class CoreFanoutProbe {
    private CoreFanoutProbe() {
    }

    static final class CountingSink implements SubscriberSink {
        volatile long count;

        @Override
        public boolean isReady() {
            return true;
        }

        @Override
        public void send(StreamItem item) {
            if (item instanceof StreamItem.Event) {
                count++;
            }
        }

        @Override
        public void end(StreamEnd reason, String message, long resumeAfterSequence) {
        }
    }

    /** @return deliveries per second */
    static double run(int subscribers, int seconds) throws Exception {
        SyntheticEventSource source = new SyntheticEventSource(50);
        EventsMonitor monitor = new EventsMonitor(new MonitorConfig(300_000, 300_000),
                new EventsMonitor.ConnectionObserver() {
                    @Override
                    public void connected() {
                    }

                    @Override
                    public void disconnected(String why) {
                    }
                });
        monitor.attach(source);
        Waits.await("the monitor connected", Duration.ofSeconds(30), Duration.ofMillis(1), monitor::connected);
        List<CountingSink> sinks = new ArrayList<>();
        for (int i = 0; i < subscribers; i++) {
            CountingSink sink = new CountingSink();
            monitor.subscribe(new EventsMonitor.SubscribeSpec(SubscriptionFilter.allDomains(List.of()), false, 0),
                    sink);
            sinks.add(sink);
        }
        long start = System.nanoTime();
        long end = start + TimeUnit.SECONDS.toNanos(seconds);
        long fired = 0;
        while (System.nanoTime() < end) {
            long slowest = Long.MAX_VALUE;
            for (CountingSink sink : sinks) {
                slowest = Math.min(slowest, sink.count);
            }
            if (fired - slowest > 100_000) {
                Thread.onSpinWait();
                continue;
            }
            for (int i = 0; i < 256; i++) {
                source.fire(fired++);
            }
        }
        long elapsed = System.nanoTime() - start;
        long delivered = sinks.stream().mapToLong(s -> s.count).sum();
        monitor.stop();
        return delivered * 1e9 / elapsed;
    }

    public static void main(String[] args) throws Exception {
        for (String level : args) {
            System.out.printf("%s subscribers: %.0f deliveries/s (monitor only, no gRPC)%n", level,
                    run(Integer.parseInt(level), 3));
        }
    }
}
