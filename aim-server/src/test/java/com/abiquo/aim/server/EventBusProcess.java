package com.abiquo.aim.server;

import java.time.Duration;
import com.abiquo.aim.testing.OutputLines;
import com.abiquo.aim.v1.DefineDomainRequest;
import com.abiquo.aim.v1.DomainEvent;
import com.abiquo.aim.v1.DomainRef;
import com.abiquo.aim.v1.EventsMonitorServiceGrpc;
import com.abiquo.aim.v1.LibvirtServiceGrpc;
import com.abiquo.aim.v1.ListDomainsRequest;
import com.abiquo.aim.v1.ListEventsRequest;
import com.abiquo.aim.v1.ListEventsResponse;
import com.abiquo.aim.v1.PauseDomainRequest;
import com.abiquo.aim.v1.ResumeDomainRequest;
import io.grpc.Grpc;
import io.grpc.InsecureChannelCredentials;
import io.grpc.ManagedChannel;
import io.grpc.health.v1.HealthCheckRequest;
import io.grpc.health.v1.HealthGrpc;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;

/**
 * One run of AIM as a process of its own (the launcher's main class on this module's classpath, as ProcessTest
 * starts it) on a given aim.ini, with the calls the event bus tests make: churn domains of libvirt's test driver,
 * list the journal, read a health service. {@link #kill()} is SIGKILL: no shutdown hook, nothing flushed.
 */
final class EventBusProcess implements AutoCloseable {
    private static final Pattern LISTENING = Pattern.compile("listening on 127\\.0\\.0\\.1:(\\d+)");

    private final Process process;
    final List<String> log = new CopyOnWriteArrayList<>();
    private final ManagedChannel channel;

    EventBusProcess(Path config) throws Exception {
        process = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Djava.util.logging.manager=org.apache.logging.log4j.jul.LogManager", "-Xmx256m",
                "-cp", System.getProperty("java.class.path"), AimMain.class.getName(), "-c", config.toString())
                .redirectErrorStream(true).start();
        ProcessOutput.follow(process, log, "aim-output-" + process.pid());
        channel = Grpc.newChannelBuilderForAddress("127.0.0.1", port(), InsecureChannelCredentials.create())
                .build();
    }

    private int port() {
        try {
            return Integer.parseInt(OutputLines.awaitMatch(log, LISTENING, Duration.ofSeconds(90), process).group(1));
        } catch (AssertionError notListening) {
            process.destroyForcibly();
            throw notListening;
        }
    }

    String output() {
        return String.join("\n", log);
    }

    /** SERVING, NOT_SERVING, ... of a health service name. */
    String health(String service) {
        return HealthGrpc.newBlockingStub(channel).withDeadlineAfter(10, TimeUnit.SECONDS)
                .check(HealthCheckRequest.newBuilder().setService(service).build()).getStatus().name();
    }

    private LibvirtServiceGrpc.LibvirtServiceBlockingStub libvirt() {
        return LibvirtServiceGrpc.newBlockingStub(channel).withDeadlineAfter(30, TimeUnit.SECONDS);
    }

    ManagedChannel channel() {
        return channel;
    }

    void define(String name) {
        libvirt().defineDomain(DefineDomainRequest.newBuilder().setXml("<domain type='test'><name>" + name
                + "</name><memory unit='MiB'>64</memory><os><type>hvm</type></os></domain>").build());
    }

    /** Pauses and resumes the test driver's running domain "test": two events. */
    void pauseAndResume() {
        DomainRef test = DomainRef.newBuilder().setName("test").build();
        libvirt().pauseDomain(PauseDomainRequest.newBuilder().setDomain(test).build());
        libvirt().resumeDomain(ResumeDomainRequest.newBuilder().setDomain(test).build());
    }

    /** The uuids of the domains libvirt lists now. */
    Set<String> domainUuids() {
        Set<String> uuids = new TreeSet<>();
        libvirt().listDomains(ListDomainsRequest.getDefaultInstance()).getDomainsList()
                .forEach(domain -> uuids.add(domain.getUuid()));
        return uuids;
    }

    /** Every event of the journal, through ListEvents. */
    List<DomainEvent> journal() {
        List<DomainEvent> events = new ArrayList<>();
        long after = 0;
        while (true) {
            ListEventsResponse page = EventsMonitorServiceGrpc.newBlockingStub(channel)
                    .withDeadlineAfter(30, TimeUnit.SECONDS).listEvents(ListEventsRequest.newBuilder()
                            .setAfterSequence(after).setMaxEvents(10_000).build());
            events.addAll(page.getEventsList());
            if (page.getEventsCount() == 0 || page.getNextAfterSequence() >= page.getLastSequence()) {
                return events;
            }
            after = page.getNextAfterSequence();
        }
    }

    /** The newest journaled sequence. */
    long lastSequence() {
        return EventsMonitorServiceGrpc.newBlockingStub(channel).withDeadlineAfter(30, TimeUnit.SECONDS)
                .listEvents(ListEventsRequest.newBuilder().setMaxEvents(1).build()).getLastSequence();
    }

    /** SIGKILL, as the kernel's OOM killer or `kill -9` would: returns the exit status. */
    int kill() throws Exception {
        Tools.Result kill = Tools.run(Path.of("/"), List.of("kill", "-KILL", Long.toString(process.pid())));
        if (kill.exitCode() != 0) {
            throw new AssertionError("kill -KILL " + process.pid() + ": " + kill.output());
        }
        if (!process.waitFor(30, TimeUnit.SECONDS)) {
            throw new AssertionError("AIM " + process.pid() + " still runs after SIGKILL");
        }
        channel.shutdownNow();
        return process.exitValue();
    }

    @Override
    public void close() throws InterruptedException {
        channel.shutdownNow();
        if (process.isAlive()) {
            process.destroy();
            if (!process.waitFor(30, TimeUnit.SECONDS)) {
                process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
            }
        }
    }
}
