package com.abiquo.aim.libvirt.events.fault;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.abiquo.aim.libvirt.events.grpc.StreamCollector;
import com.abiquo.aim.testing.PrivateLibvirtd;
import com.abiquo.aim.v1.DomainEvent;
import com.abiquo.aim.v1.SubscribeRequest;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * A local libvirtd that comes back after a long outage is noticed through its socket, not at the next backoff
 * attempt: with a 30 s backoff cap and the daemon down for 8 s, the backoff alone would try again only 15.75 s after
 * the crash (attempts at 0.25, 0.75, 1.75, 3.75, 7.75 and 15.75 s), about 7 s after the restart.
 */
@Tag("system")
class ResyncAfterRestartSystemTest {
    private static final Duration WAIT = Duration.ofSeconds(60);
    /**
     * The backoff's sixth attempt, the first that could find the restarted daemon, counted from the loss of the
     * connection; the loss comes after the kill, so the backoff alone cannot reconnect earlier after the kill.
     */
    private static final long NEXT_BACKOFF_ATTEMPT_MILLIS = 15_750;

    @Test
    void theResyncArrivesBeforeTheBackoffWouldHaveTriedAgain() throws Exception {
        String name = "aimtest-ev-restart-" + UUID.randomUUID().toString().substring(0, 6);
        try (PrivateLibvirtd libvirtd = new PrivateLibvirtd("aimtest-ev-")) {
            libvirtd.start();
            try (EventsServerHarness aim = EventsServerHarness.libvirt(libvirtd.testUri(), Map.of(),
                    Duration.ofSeconds(30))) {
                StreamCollector client = new StreamCollector();
                aim.stub(aim.channel()).subscribe(SubscribeRequest.getDefaultInstance(), client);
                client.subscriptionId();
                // A running domain of the daemon's test driver: it vanishes with the daemon, so the resync after
                // the restart reports it DESTROYED.
                aim.connection().call(c -> {
                    c.domainDefineXML("<domain type='test'><name>" + name + "</name><memory unit='MiB'>64</memory>"
                            + "<os><type>hvm</type></os></domain>");
                    c.domainLookupByName(name).create();
                    return null;
                });
                assertTrue(client.awaitEvents(events -> kinds(events, name).contains("POWERED_ON"), WAIT),
                        "no POWERED_ON for " + name + ": " + client.events());

                long killed = System.nanoTime();
                libvirtd.kill();
                aim.awaitHealth("NOT_SERVING", WAIT);
                // The scenario, not a wait for a condition: down long enough (past the attempt at 7.75 s) for the
                // backoff to reach 8 s between attempts; the outage itself is what is tested.
                Thread.sleep(8_000);
                libvirtd.start();   // returns once the daemon answers virsh
                long restarted = System.nanoTime();

                aim.awaitServing(WAIT);
                long servingMillis = (System.nanoTime() - restarted) / 1_000_000;
                assertTrue(client.awaitEvents(events -> resyncDestroyed(events, name), WAIT),
                        "no resync DESTROYED for " + name + ": " + client.events());
                long now = System.nanoTime();
                long resyncMillis = (now - restarted) / 1_000_000;
                long sinceKillMillis = (now - killed) / 1_000_000;
                long restartedMillis = (restarted - killed) / 1_000_000;
                System.out.printf("after the restart: SERVING in %d ms, resync event in %d ms (the daemon answered"
                        + " %d ms after the kill, resync %d ms after it; backoff cap 30 s)%n", servingMillis,
                        resyncMillis, restartedMillis, sinceKillMillis);
                // Seen before the backoff's next attempt could have run: the socket brought the connection back.
                // (Not a bound on how fast a loaded machine is: the margin is whatever the restart left of 15.75 s.)
                assertTrue(sinceKillMillis < NEXT_BACKOFF_ATTEMPT_MILLIS, "resync event " + sinceKillMillis
                        + " ms after the kill (" + resyncMillis + " ms after the restart, which answered "
                        + restartedMillis + " ms after the kill): no earlier than the backoff's own attempt");
                DomainEvent last = client.events().stream().filter(e -> e.getDomainName().equals(name))
                        .reduce((a, b) -> b).orElseThrow();
                assertEquals("DOMAIN_EVENT_KIND_DESTROYED", last.getKind().name());
            }
        }
    }

    private static List<String> kinds(List<DomainEvent> events, String name) {
        return events.stream().filter(e -> e.getDomainName().equals(name))
                .map(e -> e.getKind().name().replace("DOMAIN_EVENT_KIND_", "")).toList();
    }

    private static boolean resyncDestroyed(List<DomainEvent> events, String name) {
        return events.stream().anyMatch(e -> e.getDomainName().equals(name) && e.getResync()
                && e.getKind().name().endsWith("DESTROYED"));
    }
}
