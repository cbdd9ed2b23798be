package com.abiquo.aim.libvirt.events.bench;

import com.abiquo.aim.libvirt.connection.TestDomains;
import com.abiquo.aim.libvirt.events.EventJournal;
import com.abiquo.aim.libvirt.events.fault.EventsServerHarness;
import com.abiquo.aim.testing.Waits;
import com.abiquo.aim.v1.DomainRef;
import com.abiquo.aim.v1.EventFilter;
import com.abiquo.aim.v1.EventsMonitorServiceGrpc;
import com.abiquo.aim.v1.SubscribeRequest;
import io.grpc.ManagedChannel;
import java.io.BufferedReader;
import java.io.File;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import org.libvirt.Domain;
import org.libvirt.LibvirtException;

/**
 * The EventsMonitor benchmark (scripts/bench-events). Not a test: it prints figures.
 *
 * <ol>
 *   <li>Latency on a real libvirtd: a real KVM domain (64 MiB, no disk) is paused and resumed; for each operation it
 *   measures, in the same run, the time from the operation to {@code virsh event --loop --all} printing it, and to
 *   receipt by each of 1, 100 and 1,000 gRPC subscribers over loopback Netty (plus the time AIM adds: libvirt
 *   callback to receipt). The subscribers run in a JVM of their own ({@link SubscriberProcess}) unless
 *   {@code --same-jvm-clients} is given.</li>
 *   <li>The peer in the same run: plain grpc-java fan-out ({@link BareFanoutServer}) to the same subscribers.</li>
 *   <li>Fan-out throughput: a synthetic source plays libvirt's callback as fast as the subscribers drain; the real
 *   monitor, journal and gRPC streams deliver to 1, 100 and 1,000 subscribers; events delivered per second.</li>
 *   <li>RSS of the process: idle (server only) and loaded (the agent's in the latency rows; server and its clients,
 *   which share this JVM, in the throughput rows).</li>
 * </ol>
 */
public final class EventsBenchmark {
    private static final int STREAMS_PER_CHANNEL = 10;
    /** Operations before measuring, so the figures are those of a compiled (JIT) agent, not of its first minutes. */
    private static final int WARM_UP_OPERATIONS = 1000;

    private EventsBenchmark() {
    }

    public static void main(String[] args) throws Exception {
        String uri = option(args, "--uri", "qemu:///system");
        int operations = Integer.parseInt(option(args, "--operations", "200"));
        int[] levels = Arrays.stream(option(args, "--subscribers", "1,100,1000").split(","))
                .mapToInt(Integer::parseInt).toArray();
        int seconds = Integer.parseInt(option(args, "--seconds", "5"));
        boolean skipLatency = Arrays.asList(args).contains("--no-libvirt");
        System.out.printf("AIM EventsMonitor benchmark: %d cores, java %s%n",
                Runtime.getRuntime().availableProcessors(), System.getProperty("java.version"));
        if (!skipLatency) {
            latency(uri, operations, levels, Arrays.asList(args).contains("--same-jvm-clients"));
        }
        if (!Arrays.asList(args).contains("--no-throughput")) {
            throughput(levels, seconds);
        }
        System.exit(0);
    }

    private static String option(String[] args, String name, String defaultValue) {
        for (int i = 0; i < args.length - 1; i++) {
            if (args[i].equals(name)) {
                return args[i + 1];
            }
        }
        return defaultValue;
    }

    // ---- part 1: latency against a real libvirtd, next to virsh event ----

    private static void latency(String uri, int operations, int[] levels, boolean sameJvmClients)
            throws Exception {
        String name = "aimtest-ev-bench-" + UUID.randomUUID().toString().substring(0, 8);
        String type = Files.exists(Path.of("/dev/kvm")) ? "kvm" : "qemu";
        Process virsh = null;
        try (EventsServerHarness aim = EventsServerHarness.libvirt(uri, Map.of())) {
            System.out.printf("%nidle RSS (server, libvirt connection, no subscriber): %d MiB%n", rssAfterGc());
            String uuid = aim.connection().call(c -> {
                Domain domain = c.domainDefineXML("<domain type='" + type + "'><name>" + name + "</name>"
                        + "<memory unit='MiB'>64</memory><os><type arch='x86_64' machine='pc'>hvm</type></os>"
                        + "<devices><serial type='pty'/></devices></domain>");
                domain.create();
                return domain.getUUIDString();
            });
            virsh = new ProcessBuilder("virsh", "-c", uri, "event", "--loop", "--all")
                    .redirectErrorStream(true).redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")))
                    .start();
            BlockingQueue<Long> virshLines = new LinkedBlockingQueue<>();
            Process watcher = virsh;
            Thread reader = new Thread(() -> {
                try (BufferedReader lines = new BufferedReader(new InputStreamReader(watcher.getInputStream(),
                        StandardCharsets.UTF_8))) {
                    String line;
                    while ((line = lines.readLine()) != null) {
                        long now = System.nanoTime();
                        if (line.contains("'" + name + "'")) {
                            virshLines.add(now);
                        }
                    }
                } catch (IOException closed) {
                    // virsh ended
                }
            }, "virsh-event-reader");
            reader.setDaemon(true);
            reader.start();
            // Not a condition: virsh says nothing until an event comes, so it gets a second to register its callback
            // (a late one only leaves the first warm-up operations without a virsh time).
            Thread.sleep(1000);

            System.out.printf("%nLatency on %s, domain %s (%s, 64 MiB), %d pause/resume operations per row after %d "
                    + "to warm up.%n", uri, name, type, operations, WARM_UP_OPERATIONS);
            System.out.println("op->X: from the start of the libvirt call to X receiving the event; "
                    + "callback->sub: what AIM adds (libvirt callback in AIM to receipt by a gRPC subscriber); "
                    + "default [monitor] settings.");
            System.out.println("callback->journaled: from the libvirt callback to the event journaled by the "
                    + "dispatcher (the queue hop and AIM's mapping); the rest of callback->sub is the drain pool, "
                    + "Netty, the kernel and the client. ops with GC: operations during which the benchmark's JVM "
                    + "collected garbage.");
            System.out.println(sameJvmClients ? "Subscribers: in this JVM (--same-jvm-clients): RSS and GC are "
                    + "the server's and its clients' together."
                    : "Subscribers: in a JVM of their own (as a controller's are), on the same 2 cores; RSS and GC "
                    + "are the agent's alone.");
            System.out.printf("%-12s %14s %14s %18s %18s %22s %22s %23s %23s %12s %12s%n", "subscribers",
                    "op->virsh p50", "op->virsh p99", "op->sub(all) p50", "op->sub(all) p99", "callback->sub p50",
                    "callback->sub p99", "callback->journaled p50", "callback->journaled p99", "RSS", "ops with GC");
            try {
                for (int level : levels) {
                    if (sameJvmClients) {
                        latencyRow(aim, uuid, level, operations, virshLines);
                    } else {
                        separateProcessLatencyRow(aim, uuid, level, operations, virshLines);
                    }
                }
            } finally {
                TestDomains.remove(aim.connection(), name);
            }
            if (!sameJvmClients) {
                System.out.printf("%nPeer, same run and machine: plain grpc-java server streaming (no libvirt, no "
                        + "AIM) fires an event-sized message to every stream of the same kind of subscriber process, "
                        + "from one thread, %d times after %d to warm up.%n", operations, WARM_UP_OPERATIONS);
                System.out.printf("%-12s %22s %22s %20s %20s%n", "subscribers", "fire->sub p50", "fire->sub p99",
                        "fire->handed p50", "fire->handed p99");
                for (int level : levels) {
                    bareFanoutRow(level, operations);
                }
            }
        } finally {
            if (virsh != null) {
                virsh.destroy();
            }
        }
    }

    private static void latencyRow(EventsServerHarness aim, String uuid, int level, int operations,
                                   BlockingQueue<Long> virshLines) throws Exception {
        EventJournal journal = aim.monitor().journal();
        JournaledTimes journaled = new JournaledTimes(aim.monitor());
        List<ManagedChannel> channels = new ArrayList<>();
        List<BenchSubscriber> subscribers = new ArrayList<>();
        SubscribeRequest request = SubscribeRequest.newBuilder().setFilter(EventFilter.newBuilder()
                .addDomains(DomainRef.newBuilder().setUuid(uuid))).build();
        EventsMonitorServiceGrpc.EventsMonitorServiceStub stub = null;
        for (int i = 0; i < level; i++) {
            if (i % STREAMS_PER_CHANNEL == 0) {
                ManagedChannel channel = aim.channel();
                channels.add(channel);
                stub = aim.stub(channel);
            }
            BenchSubscriber subscriber = new BenchSubscriber(journal, true);
            stub.subscribe(request, subscriber);
            subscribers.add(subscriber);
        }
        for (BenchSubscriber subscriber : subscribers) {
            subscriber.started.get(60, TimeUnit.SECONDS);
        }
        long[] opToVirsh = new long[operations];
        long[] opToSubscriber = new long[operations * level];
        long[] callbackToSubscriber = new long[operations * level];
        long[] callbackToJournaled = new long[operations];
        int warmUp = WARM_UP_OPERATIONS;
        int opsWithGc = 0;
        boolean paused = false;
        Domain domain = aim.connection().call(c -> c.domainLookupByUUIDString(uuid));
        {
            virshLines.clear();
            for (int op = -warmUp; op < operations; op++) {
                long[] before = new long[level];
                java.util.concurrent.CountDownLatch arrivals = new java.util.concurrent.CountDownLatch(level);
                for (int i = 0; i < level; i++) {
                    before[i] = subscribers.get(i).received;
                    subscribers.get(i).arrivals = arrivals;
                }
                long collectionsBefore = collections();
                long start = System.nanoTime();
                paused = pauseOrResume(domain, paused);
                Long virshAt = virshLines.poll(10, TimeUnit.SECONDS);
                arrivals.await(10, TimeUnit.SECONDS);
                if (collections() != collectionsBefore && op >= 0) {
                    opsWithGc++;
                }
                for (int i = 0; i < level; i++) {
                    BenchSubscriber subscriber = subscribers.get(i);
                    if (op >= 0) {
                        opToSubscriber[op * level + i] = subscriber.received == before[i] ? Long.MAX_VALUE
                                : subscriber.lastReceiptNanos - start;
                        callbackToSubscriber[op * level + i] = subscriber.received == before[i] ? Long.MAX_VALUE
                                : subscriber.lastCallbackToReceiptNanos;
                    }
                }
                if (op >= 0) {
                    opToVirsh[op] = virshAt == null ? Long.MAX_VALUE : virshAt - start;
                    EventJournal.Entry entry = journal.get(subscribers.get(0).lastSequence);
                    callbackToJournaled[op] = journaled.callbackToJournaled(entry);
                }
                Thread.sleep(5); // pacing, not a wait: the next operation 5 ms after this one's events arrived
            }
            domain.free();
        }
        long rss = rssMiB();
        subscribers.forEach(BenchSubscriber::cancel);
        channels.forEach(ManagedChannel::shutdownNow);
        printLatencyRow(level, operations, opToVirsh, opToSubscriber, callbackToSubscriber, callbackToJournaled, rss,
                opsWithGc);
    }

    /**
     * One latency row with the subscribers in another JVM ({@link SubscriberProcess}): the operations are paced by its
     * arrivals, and receipt times come back at the end, joined with the journal's callback times by sequence.
     */
    private static void separateProcessLatencyRow(EventsServerHarness aim, String uuid, int level, int operations,
                                                  BlockingQueue<Long> virshLines) throws Exception {
        int total = WARM_UP_OPERATIONS + operations;
        try (RemoteSubscribers clients = new RemoteSubscribers(aim.port(), uuid, level, STREAMS_PER_CHANNEL, total)) {
            EventJournal journal = aim.monitor().journal();
            JournaledTimes journaled = new JournaledTimes(aim.monitor());
            long[] starts = new long[total];
            long[] callbacks = new long[total];
            long[] opToVirsh = new long[operations];
            long[] callbackToJournaled = new long[operations];
            int opsWithGc = 0;
            boolean paused = false;
            Domain domain = aim.connection().call(c -> c.domainLookupByUUIDString(uuid));
            virshLines.clear();
            for (int k = 0; k < total; k++) {
                int op = k - WARM_UP_OPERATIONS;
                long collectionsBefore = collections();
                long start = System.nanoTime();
                paused = pauseOrResume(domain, paused);
                starts[k] = start;
                Long virshAt = virshLines.poll(10, TimeUnit.SECONDS);
                EventJournal.Entry entry = journal.get(clients.awaitArrived(k));
                callbacks[k] = entry == null ? Long.MAX_VALUE : entry.event().receivedNanos();
                if (op >= 0) {
                    if (collections() != collectionsBefore) {
                        opsWithGc++;
                    }
                    opToVirsh[op] = virshAt == null ? Long.MAX_VALUE : virshAt - start;
                    callbackToJournaled[op] = journaled.callbackToJournaled(entry);
                }
                Thread.sleep(5); // pacing, not a wait: the next operation 5 ms after this one's events arrived
            }
            domain.free();
            long rss = rssMiB();
            long[] opToSubscriber = new long[operations * level];
            long[] callbackToSubscriber = new long[operations * level];
            Arrays.fill(opToSubscriber, Long.MAX_VALUE);
            Arrays.fill(callbackToSubscriber, Long.MAX_VALUE);
            clients.receipts().forEach((k, times) -> {
                int op = k - WARM_UP_OPERATIONS;
                for (int i = 0; op >= 0 && i < level; i++) {
                    opToSubscriber[op * level + i] = times[i] - starts[k];
                    callbackToSubscriber[op * level + i] = callbacks[k] == Long.MAX_VALUE ? Long.MAX_VALUE
                            : times[i] - callbacks[k];
                }
            });
            printLatencyRow(level, operations, opToVirsh, opToSubscriber, callbackToSubscriber, callbackToJournaled,
                    rss, opsWithGc);
        }
    }

    /**
     * The peer row: plain grpc-java fan-out ({@link BareFanoutServer}) to the same kind of subscriber process, events
     * fired as often as in the libvirt rows. Fire to receipt is what gRPC, the kernel and the clients take here
     * without AIM.
     */
    private static void bareFanoutRow(int level, int operations) throws Exception {
        int total = WARM_UP_OPERATIONS + operations;
        String uuid = UUID.randomUUID().toString();
        try (BareFanoutServer bare = new BareFanoutServer();
             RemoteSubscribers clients = new RemoteSubscribers(bare.port(), uuid, level, STREAMS_PER_CHANNEL,
                     total)) {
            long[] fired = new long[total];
            long[] fireToHanded = new long[operations];
            for (int k = 0; k < total; k++) {
                fired[k] = System.nanoTime();
                long handed = bare.fire(k + 1, uuid);
                if (k >= WARM_UP_OPERATIONS) {
                    fireToHanded[k - WARM_UP_OPERATIONS] = handed - fired[k];
                }
                clients.awaitArrived(k);
                Thread.sleep(7); // pacing, not a wait: about the pace of the libvirt rows (an operation, then 5 ms)
            }
            long[] fireToSubscriber = new long[operations * level];
            Arrays.fill(fireToSubscriber, Long.MAX_VALUE);
            clients.receipts().forEach((k, times) -> {
                int op = k - WARM_UP_OPERATIONS;
                for (int i = 0; op >= 0 && i < level; i++) {
                    fireToSubscriber[op * level + i] = times[i] - fired[k];
                }
            });
            Arrays.sort(fireToSubscriber);
            Arrays.sort(fireToHanded);
            System.out.printf("%-12d %19.3f ms %19.3f ms %17.3f ms %17.3f ms%n", level,
                    ms(pct(fireToSubscriber, 0.50)), ms(pct(fireToSubscriber, 0.99)), ms(pct(fireToHanded, 0.50)),
                    ms(pct(fireToHanded, 0.99)));
        }
    }

    /** One operation of the latency rows. @return whether the domain is now paused */
    private static boolean pauseOrResume(Domain domain, boolean paused) throws LibvirtException {
        if (paused) {
            domain.resume();
        } else {
            domain.suspend();
        }
        return !paused;
    }

    private static void printLatencyRow(int level, int operations, long[] opToVirsh, long[] opToSubscriber,
                                        long[] callbackToSubscriber, long[] callbackToJournaled, long rss,
                                        int opsWithGc) {
        Arrays.sort(opToVirsh);
        Arrays.sort(opToSubscriber);
        Arrays.sort(callbackToSubscriber);
        Arrays.sort(callbackToJournaled);
        System.out.printf("%-12d %11.3f ms %11.3f ms %15.3f ms %15.3f ms %19.3f ms %19.3f ms %20.3f ms %20.3f ms "
                        + "%8d MiB %8d/%d%n", level, ms(pct(opToVirsh, 0.50)), ms(pct(opToVirsh, 0.99)),
                ms(pct(opToSubscriber, 0.50)), ms(pct(opToSubscriber, 0.99)), ms(pct(callbackToSubscriber, 0.50)),
                ms(pct(callbackToSubscriber, 0.99)), ms(pct(callbackToJournaled, 0.50)),
                ms(pct(callbackToJournaled, 0.99)), rss, opsWithGc, operations);
    }

    // ---- part 2: fan-out throughput with a synthetic source ----

    private static void throughput(int[] levels, int seconds) throws Exception {
        System.out.printf("%nFan-out throughput: synthetic source -> real monitor, journal, gRPC streams over "
                + "loopback Netty; %d s per row; server and clients share this JVM and its cores; journal of 300,000 "
                + "events (RSS grows with it, up to -Xmx2g).%n", seconds);
        System.out.println("CPU/delivery: CPU time of the whole process (server, clients, producer) per delivery; "
                + "it does not depend on what else the machine runs, so 2 cores / CPU per delivery is the rate "
                + "two idle cores would reach.");
        System.out.printf("%-12s %16s %20s %10s %12s %14s %16s%n", "subscribers", "events/s in", "deliveries/s",
                "gaps", "cut off", "RSS", "CPU/delivery");
        for (int level : levels) {
            System.out.printf("%-12d %16s %20.0f   (the monitor alone: counting sinks, no gRPC)%n", level, "",
                    CoreFanoutProbe.run(level, Math.min(seconds, 3)));
        }
        for (int level : levels) {
            SyntheticEventSource source = new SyntheticEventSource(50);
            try (EventsServerHarness aim = EventsServerHarness.withSource(source, Map.of(
                    "journalSize", "300000", "subscriberBufferSize", "300000"))) {
                EventJournal journal = aim.monitor().journal();
                List<BenchSubscriber> subscribers = new ArrayList<>();
                EventsMonitorServiceGrpc.EventsMonitorServiceStub stub = null;
                for (int i = 0; i < level; i++) {
                    if (i % STREAMS_PER_CHANNEL == 0) {
                        stub = aim.stub(aim.channel());
                    }
                    BenchSubscriber subscriber = new BenchSubscriber(journal, false);
                    stub.subscribe(SubscribeRequest.getDefaultInstance(), subscriber);
                    subscribers.add(subscriber);
                }
                for (BenchSubscriber subscriber : subscribers) {
                    subscriber.started.get(60, TimeUnit.SECONDS);
                }
                // Warm up, then measure. The producer stays at most 100,000 events ahead of the slowest
                // subscriber so the run measures delivery, not how fast events can pile up.
                long fired = produce(source, subscribers, journal, TimeUnit.SECONDS.toNanos(1), 0);
                awaitDrained(subscribers, journal.lastSequence());
                long receivedBefore = total(subscribers);
                long cpuBefore = processCpuNanos();
                long start = System.nanoTime();
                long rss = 0;
                long produced = 0;
                long end = start + TimeUnit.SECONDS.toNanos(seconds);
                while (System.nanoTime() < end) {
                    produced += produce(source, subscribers, journal, TimeUnit.MILLISECONDS.toNanos(100),
                            fired + produced);
                    if (rss == 0 && System.nanoTime() - start > TimeUnit.SECONDS.toNanos(seconds) / 2) {
                        rss = rssMiB();
                    }
                }
                long elapsed = System.nanoTime() - start;
                long delivered = total(subscribers) - receivedBefore;
                long cpu = processCpuNanos() - cpuBefore;
                long gaps = subscribers.stream().mapToLong(s -> s.gaps).sum();
                long cut = subscribers.stream().filter(s -> s.ended.isDone()).count();
                System.out.printf("%-12d %16.0f %20.0f %10d %12d %11d MiB %13.2f us%n", level,
                        produced * 1e9 / elapsed, delivered * 1e9 / elapsed, gaps, cut, rss,
                        cpu / 1e3 / Math.max(1, delivered));
                subscribers.stream().filter(sub -> sub.ended.isDone()).limit(3).forEach(sub ->
                        System.out.println("  a subscriber ended: " + sub.ended.join()));
                subscribers.forEach(BenchSubscriber::cancel);
            }
        }
    }

    private static long produce(SyntheticEventSource source, List<BenchSubscriber> subscribers,
                                EventJournal journal, long nanos, long index) {
        long end = System.nanoTime() + nanos;
        long fired = 0;
        while (System.nanoTime() < end) {
            long slowest = Long.MAX_VALUE;
            for (BenchSubscriber subscriber : subscribers) {
                slowest = Math.min(slowest, subscriber.lastSequence == 0 ? journal.firstSequence() - 1
                        : subscriber.lastSequence);
            }
            // Count what was fired, not what is journaled: the monitor's inbox may still hold events.
            long ahead = journal.firstSequence() + index + fired - 1 - slowest;
            if (ahead > 100_000) {
                LockSupport.parkNanos(20_000); // leave the cores to the server and the clients
                continue;
            }
            for (int i = 0; i < 256; i++) {
                source.fire(index + fired++);
            }
        }
        return fired;
    }

    /** Waits up to a minute until every subscriber has received up to {@code last} or ended; the rows tell which. */
    private static void awaitDrained(List<BenchSubscriber> subscribers, long last) {
        Waits.holdsWithin(Duration.ofSeconds(60), Duration.ofMillis(1), () -> subscribers.stream()
                .allMatch(subscriber -> subscriber.lastSequence >= last || subscriber.ended.isDone()));
    }

    private static long total(List<BenchSubscriber> subscribers) {
        long sum = 0;
        for (BenchSubscriber subscriber : subscribers) {
            sum += subscriber.received;
        }
        return sum;
    }

    /** Garbage collections so far, all collectors. */
    private static long collections() {
        long count = 0;
        for (var collector : java.lang.management.ManagementFactory.getGarbageCollectorMXBeans()) {
            count += Math.max(0, collector.getCollectionCount());
        }
        return count;
    }

    private static long processCpuNanos() {
        return ((com.sun.management.OperatingSystemMXBean) java.lang.management.ManagementFactory
                .getOperatingSystemMXBean()).getProcessCpuTime();
    }

    private static long pct(long[] sorted, double fraction) {
        return sorted[Math.min(sorted.length - 1, (int) Math.ceil(fraction * sorted.length) - 1)];
    }

    private static double ms(long nanos) {
        return nanos == Long.MAX_VALUE ? Double.NaN : nanos / 1e6;
    }

    private static long rssAfterGc() throws IOException, InterruptedException {
        System.gc();
        Thread.sleep(200); // not a wait on a condition: time for the collector's memory to go back to the system
        return rssMiB();
    }

    private static long rssMiB() throws IOException {
        for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
            if (line.startsWith("VmRSS:")) {
                return Long.parseLong(line.replaceAll("[^0-9]", "")) / 1024;
            }
        }
        return -1;
    }
}
