package com.abiquo.aim.dist.bench;

import com.abiquo.aim.dist.bench.FleetReaders.Receipt;
import com.abiquo.aim.testing.Waits;
import com.abiquo.aim.v1.DomainEvent;
import com.abiquo.aim.v1.EventsMonitorServiceGrpc;
import com.abiquo.aim.v1.ListEventsRequest;
import com.abiquo.aim.v1.ListEventsResponse;
import io.grpc.ManagedChannel;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import redis.clients.jedis.Jedis;
import redis.clients.jedis.Protocol;

/**
 * scripts/bench-eventbus-fleet: a fleet on one machine. N agents of the built distribution (their launcher, the small
 * heaps it ships) on libvirt's test:///default, each with a private driver, so its domains are its own, publish to
 * one private redis-server (AOF) into streams of their own; each is churned through gRPC (define, power on, power
 * off, undefine); a consumer group of readers takes every stream; Redis is SIGKILLed half-way and started again from
 * its AOF. Prints, per node, the events journaled (ListEvents) against those received, lost, duplicates and out of
 * order, and the lag from each event's time to its receipt.
 * <p>
 * Usage: EventBusFleetBench DIST [--nodes 20] [--seconds 120] [--pause-ms 250] [--readers 3] [--outage-seconds 3]
 */
public final class EventBusFleetBench {
    private static final long STEADY_AFTER_RESTART_MICROS = 10_000_000;

    private EventBusFleetBench() {
    }

    public static void main(String[] args) throws Exception {
        Path dist = Path.of(args[0]);
        int nodes = option(args, "--nodes", 20);
        int seconds = option(args, "--seconds", 120);
        int pauseMillis = option(args, "--pause-ms", 250);
        int readerCount = option(args, "--readers", 3);
        int outageSeconds = option(args, "--outage-seconds", 3);
        List<String> streams = new ArrayList<>();
        for (int node = 0; node < nodes; node++) {
            streams.add("aim:events:fleet-%02d".formatted(node));
        }
        List<AimProcess> aims = new ArrayList<>();
        ExecutorService pool = Executors.newFixedThreadPool(nodes);
        try (FleetRedis redis = new FleetRedis().start();
                FleetReaders readers = new FleetReaders(redis, streams, readerCount)) {
            long startedAt = System.nanoTime();
            startAll(dist, redis, streams, aims);
            System.out.printf("%d agents started in %.1f s (4 at a time); Redis %s with AOF; %d readers in group %s%n",
                    nodes, (System.nanoTime() - startedAt) / 1e9, redis.url(), readerCount, FleetReaders.GROUP);
            List<ManagedChannel> channels = aims.stream().map(AimProcess::channel).toList();
            List<FleetChurn> churns = new ArrayList<>();
            List<Future<?>> running = new ArrayList<>();
            for (int node = 0; node < nodes; node++) {
                FleetChurn churn = new FleetChurn(channels.get(node), "fleet-%02d".formatted(node), pauseMillis);
                churns.add(churn);
                running.add(pool.submit(churn));
            }
            double cpuBefore = redis.cpuSeconds();
            long churnStart = System.nanoTime();
            TimeUnit.SECONDS.sleep(seconds / 2); // not a wait: the churn's first half, Redis up
            long killMicros = FleetReaders.micros(Instant.now());
            redis.kill();
            TimeUnit.SECONDS.sleep(outageSeconds); // not a wait: the outage
            redis.start();
            long restartMicros = FleetReaders.micros(Instant.now());
            TimeUnit.SECONDS.sleep(seconds - seconds / 2 - outageSeconds); // not a wait: the second half
            churns.forEach(FleetChurn::stop);
            for (Future<?> churn : running) {
                churn.get();
            }
            double churnSeconds = (System.nanoTime() - churnStart) / 1e9;
            for (FleetChurn churn : churns) {
                if (churn.failure() != null) {
                    throw new IllegalStateException("churn failed", churn.failure());
                }
            }
            long operations = churns.stream().mapToLong(FleetChurn::operations).sum();
            long caughtUpStart = System.nanoTime();
            List<FleetTally> tallies = awaitTallies(channels, streams, readers);
            double catchUp = (System.nanoTime() - caughtUpStart) / 1e9;
            double redisCpu = redis.cpuSeconds() - cpuBefore;
            System.out.printf("churn: %d s, %d operations (%.0f/s over %d nodes), Redis SIGKILLed at %d s, started"
                    + " again from its AOF %d s later; everything received %.1f s after the churn ended%n",
                    Math.round(churnSeconds), operations, operations / churnSeconds, nodes, seconds / 2,
                    outageSeconds, catchUp);
            printTallies(tallies);
            printLag(readers.receipts(), killMicros, restartMicros);
            printResources(redis, streams, aims, redisCpu, tallies, churnSeconds);
            channels.forEach(ManagedChannel::shutdownNow);
        } finally {
            pool.shutdownNow();
            for (AimProcess aim : aims) {
                aim.close();
            }
        }
    }

    /** Starts one agent per stream, 4 at a time, into {@code aims} (so the caller stops them, also on a failure). */
    private static void startAll(Path dist, FleetRedis redis, List<String> streams, List<AimProcess> aims)
            throws Exception {
        ExecutorService starters = Executors.newFixedThreadPool(4);
        try {
            List<Future<AimProcess>> started = new ArrayList<>();
            for (String stream : streams) {
                started.add(starters.submit(() -> AimProcess.start(dist, "test:///default",
                        "[eventbus]\nurl = " + redis.url() + "\nstream = " + stream + "\n")));
            }
            Exception failure = null;
            for (Future<AimProcess> aim : started) {
                try {
                    aims.add(aim.get());
                } catch (ExecutionException failed) {
                    failure = failure == null ? failed : failure;
                }
            }
            if (failure != null) {
                throw failure;
            }
        } finally {
            starters.shutdown();
        }
    }

    /** Counts every node until nothing journaled is missing, or 120 s passed (then the count shows what is lost). */
    private static List<FleetTally> awaitTallies(List<ManagedChannel> channels, List<String> streams,
            FleetReaders readers) throws Exception {
        try {
            return Waits.awaitValue("every node's journal read in full", Duration.ofSeconds(120),
                    Duration.ofMillis(200), () -> tallies(channels, streams, readers),
                    tallies -> tallies.stream().allMatch(tally -> tally.lost() == 0), () -> "");
        } catch (AssertionError notInTime) {
            return tallies(channels, streams, readers); // the count shows what is lost
        }
    }

    private static List<FleetTally> tallies(List<ManagedChannel> channels, List<String> streams,
            FleetReaders readers) {
        List<List<Long>> journals = new ArrayList<>();
        for (ManagedChannel channel : channels) {
            journals.add(journal(channel));
        }
        List<Receipt> receipts = readers.receipts();
        List<FleetTally> tallies = new ArrayList<>();
        for (int node = 0; node < streams.size(); node++) {
            String stream = streams.get(node);
            tallies.add(FleetTally.of(stream, journals.get(node),
                    receipts.stream().filter(receipt -> receipt.stream().equals(stream)).toList()));
        }
        return tallies;
    }

    private static List<Long> journal(ManagedChannel channel) {
        var events = EventsMonitorServiceGrpc.newBlockingStub(channel);
        List<Long> sequences = new ArrayList<>();
        long after = 0;
        while (true) {
            ListEventsResponse page = events.withDeadlineAfter(30, TimeUnit.SECONDS).listEvents(
                    ListEventsRequest.newBuilder().setAfterSequence(after).setMaxEvents(10_000).build());
            page.getEventsList().stream().map(DomainEvent::getSequence).forEach(sequences::add);
            if (page.getEventsCount() == 0 || page.getNextAfterSequence() >= page.getLastSequence()) {
                return sequences;
            }
            after = page.getNextAfterSequence();
        }
    }

    private static void printTallies(List<FleetTally> tallies) {
        System.out.printf("%-20s %8s %9s %8s %5s %10s %10s %12s%n", "stream", "markers", "journaled",
                "received", "lost", "unexpected", "duplicates", "out of order");
        for (FleetTally tally : tallies) {
            System.out.printf("%-20s %8d %9d %8d %5d %10d %10d %12d%n", tally.stream(), tally.markers(),
                    tally.journaled(), tally.received(), tally.lost(), tally.unexpected(), tally.duplicates(),
                    tally.outOfOrder());
        }
        System.out.printf("%-20s %8d %9d %8d %5d %10d %10d %12d%n", "total",
                tallies.stream().mapToInt(FleetTally::markers).sum(),
                tallies.stream().mapToInt(FleetTally::journaled).sum(),
                tallies.stream().mapToInt(FleetTally::received).sum(),
                tallies.stream().mapToInt(FleetTally::lost).sum(),
                tallies.stream().mapToInt(FleetTally::unexpected).sum(),
                tallies.stream().mapToInt(FleetTally::duplicates).sum(),
                tallies.stream().mapToInt(FleetTally::outOfOrder).sum());
    }

    /** Lag of each event's first delivery: its time (libvirt's callback) to the reader's receipt. */
    private static void printLag(List<Receipt> receipts, long killMicros, long restartMicros) {
        Set<String> seen = new HashSet<>();
        List<Long> all = new ArrayList<>();
        List<Long> steady = new ArrayList<>();
        List<Long> outage = new ArrayList<>();
        for (Receipt receipt : receipts) {
            if (!receipt.type().equals("event") || !seen.add(receipt.stream() + " " + receipt.id())) {
                continue;
            }
            long lag = receipt.receivedMicros() - receipt.eventMicros();
            all.add(lag);
            boolean nearOutage = receipt.eventMicros() >= killMicros
                    && receipt.eventMicros() < restartMicros + STEADY_AFTER_RESTART_MICROS;
            (nearOutage ? outage : steady).add(lag);
        }
        System.out.println("lag, event time -> reader's receipt, ms: " + lag("all", all) + "; "
                + lag("Redis up (before the kill, or 10 s after the restart)", steady) + "; "
                + lag("journaled while Redis was down or up to 10 s after", outage));
    }

    private static String lag(String what, List<Long> micros) {
        long[] sorted = micros.stream().mapToLong(Long::longValue).sorted().toArray();
        if (sorted.length == 0) {
            return what + ": none";
        }
        return "%s (%d events) p50 %.2f p99 %.2f max %.0f".formatted(what, sorted.length,
                Stats.percentile(sorted, 50) / 1000, Stats.percentile(sorted, 99) / 1000,
                sorted[sorted.length - 1] / 1000.0);
    }

    private static void printResources(FleetRedis redis, List<String> streams, List<AimProcess> aims,
            double redisCpu, List<FleetTally> tallies, double churnSeconds) throws Exception {
        long entries = 0;
        long streamBytes = 0;
        String usedMemory;
        try (Jedis jedis = redis.client()) {
            for (String stream : streams) {
                entries += jedis.xlen(stream);
                Object usage = jedis.sendCommand(Protocol.Command.MEMORY, "USAGE", stream, "SAMPLES", "0");
                streamBytes += (Long) usage;
            }
            usedMemory = jedis.info("memory").lines().filter(line -> line.startsWith("used_memory_human:"))
                    .map(line -> line.substring(line.indexOf(':') + 1).trim()).collect(Collectors.joining());
        }
        long events = tallies.stream().mapToLong(FleetTally::received).sum();
        long rssKib = 0;
        for (AimProcess aim : aims) {
            rssKib += aim.rssKib();
        }
        System.out.printf("Redis: %.2f CPU s for %d events (%.0f µs/event, incl. the readers' XREADGROUP/XACK and"
                + " the restart's AOF load), %.0f events/s; %d entries in %d streams, %.0f bytes/entry"
                + " (MEMORY USAGE), used_memory %s%n", redisCpu, events, redisCpu * 1e6 / Math.max(1, events),
                events / churnSeconds, entries, streams.size(), streamBytes / (double) Math.max(1, entries),
                usedMemory);
        System.out.printf("agents: RSS %.0f MiB on average (%d agents)%n", rssKib / 1024.0 / aims.size(),
                aims.size());
    }

    private static int option(String[] args, String name, int fallback) {
        for (int index = 1; index + 1 < args.length; index++) {
            if (args[index].equals(name)) {
                return Integer.parseInt(args[index + 1]);
            }
        }
        return fallback;
    }
}
