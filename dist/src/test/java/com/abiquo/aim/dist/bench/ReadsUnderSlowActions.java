package com.abiquo.aim.dist.bench;

import com.abiquo.aim.v1.DomainRef;
import com.abiquo.aim.v1.PowerOffDomainRequest;
import com.abiquo.aim.v1.PowerOnDomainRequest;
import com.abiquo.aim.v1.LibvirtServiceGrpc;
import io.grpc.ManagedChannel;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

/**
 * 200 callers that read without pause while domains cycle PowerOff/PowerOn through AIM (slow on real KVM): a warm-up
 * (the bench client's JIT, AIM's pools), then the measured period. Only reads that began in the measured period count.
 */
final class ReadsUnderSlowActions {
    static final int CALLERS = 200;
    private static final int WARM_UP_SECONDS = 5;

    /** One read by caller number {@code caller}; a failure ends the benchmark. */
    @FunctionalInterface
    interface Read {
        void call(ManagedChannel channel, int caller);
    }

    private ReadsUnderSlowActions() {
    }

    /**
     * @param aim the channel the power cycles go through
     * @param cycled the domains to power off and on, each by a thread of its own
     * @param reads the channel the callers read through (AIM's, or a peer's)
     */
    static Reads measure(ManagedChannel aim, List<String> cycled, ManagedChannel reads, Read read, int seconds)
            throws InterruptedException {
        AtomicBoolean running = new AtomicBoolean(true);
        List<Thread> threads = new ArrayList<>();
        AtomicLong cycles = new AtomicLong();
        for (String name : cycled) {
            DomainRef domain = DomainRef.newBuilder().setName(name).build();
            threads.add(started(() -> {
                var stub = LibvirtServiceGrpc.newBlockingStub(aim);
                while (running.get()) {
                    stub.powerOffDomain(PowerOffDomainRequest.newBuilder().setDomain(domain).build());
                    stub.powerOnDomain(PowerOnDomainRequest.newBuilder().setDomain(domain).build());
                    cycles.incrementAndGet();
                }
            }));
        }
        long measuredFrom = System.nanoTime() + TimeUnit.SECONDS.toNanos(WARM_UP_SECONDS);
        ConcurrentLinkedQueue<long[]> latencies = new ConcurrentLinkedQueue<>();
        CountDownLatch readers = new CountDownLatch(CALLERS);
        for (int i = 0; i < CALLERS; i++) {
            int caller = i;
            threads.add(started(() -> {
                long[] own = new long[1 << 16];
                int count = 0;
                while (running.get() && count < own.length) {
                    long before = System.nanoTime();
                    read.call(reads, caller);
                    if (before >= measuredFrom) {
                        own[count++] = System.nanoTime() - before;
                    }
                }
                latencies.add(Arrays.copyOf(own, count));
                readers.countDown();
            }));
        }
        long cyclesBefore = sleepUntil(measuredFrom, cycles);
        Thread.sleep(TimeUnit.SECONDS.toMillis(seconds)); // the measured period
        running.set(false);
        double elapsed = (System.nanoTime() - measuredFrom) / 1e9;
        readers.await();
        for (Thread thread : threads) {
            thread.join();
        }
        long[] all = latencies.stream().flatMapToLong(Arrays::stream).sorted().toArray();
        return new Reads(all, elapsed, cycles.get() - cyclesBefore);
    }

    private static long sleepUntil(long nanos, AtomicLong cycles) throws InterruptedException {
        TimeUnit.NANOSECONDS.sleep(nanos - System.nanoTime()); // the warm-up period
        return cycles.get();
    }

    private static Thread started(Runnable body) {
        Thread thread = new Thread(body);
        thread.start();
        return thread;
    }

    record Reads(long[] sortedNanos, double seconds, long powerCycles) {
        @Override
        public String toString() {
            return String.format("p50 %.2f ms, p99 %.2f ms, max %.1f ms, %.0f reads/s, %d power cycles",
                    Stats.percentile(sortedNanos, 50) / 1e6, Stats.percentile(sortedNanos, 99) / 1e6,
                    sortedNanos.length == 0 ? 0 : sortedNanos[sortedNanos.length - 1] / 1e6,
                    sortedNanos.length / seconds, powerCycles);
        }
    }
}
