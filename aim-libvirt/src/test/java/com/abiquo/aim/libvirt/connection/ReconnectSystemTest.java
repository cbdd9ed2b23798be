package com.abiquo.aim.libvirt.connection;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.abiquo.aim.core.error.AimException;
import com.abiquo.aim.testing.PrivateLibvirtd;
import com.abiquo.aim.testing.RecordingHealth;
import io.grpc.Status;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * A private libvirtd killed with SIGKILL and started again: the connection notices, reports, and comes back; its
 * actions connection too (domains are defined through {@link LibvirtConnection#act}, and their events still arrive
 * on the reads connection's callback).
 */
@Tag("system")
class ReconnectSystemTest {
    private PrivateLibvirtd daemon;
    private LibvirtConnection connection;
    private final RecordingHealth health = new RecordingHealth();
    private final RecordingListener listener = new RecordingListener();

    /** Bound of a wait for what must happen: it ends when it happens; a loaded machine may take long. */
    private static final Duration WAIT = Duration.ofSeconds(60);

    @BeforeEach
    void start() throws Exception {
        daemon = new PrivateLibvirtd("aimtest-lv-reconnect");
        daemon.start();
        connection = new LibvirtConnection(new ConnectionSettings(daemon.testUri(), 1, 2, Duration.ofSeconds(1)),
                health);
        connection.addListener(listener);
        connection.start(Duration.ofSeconds(10));
    }

    @AfterEach
    void stop() throws Exception {
        if (connection != null) {
            connection.close();
        }
        if (daemon != null) {
            daemon.close();
        }
    }

    @Test
    void daemonDeathIsNoticedAndTheConnectionComesBackWithEvents() throws Exception {
        assertTrue(connection.connected());
        assertEquals("connected", listener.connectionChanges.poll(WAIT.toSeconds(), TimeUnit.SECONDS));
        defineAndExpectEvent("aimtest-lv-before");

        long killed = System.nanoTime();
        daemon.kill();
        assertEquals("disconnected", listener.connectionChanges.poll(WAIT.toSeconds(), TimeUnit.SECONDS));
        long noticedMillis = (System.nanoTime() - killed) / 1_000_000;
        // Noticed through the closed socket, not after the keepalive's silence (about 3 s, its reason KEEPALIVE).
        String why = listener.disconnectionReasons.poll();
        assertFalse(why == null || why.contains("KEEPALIVE"), "disconnected: " + why);
        assertFalse(connection.connected());
        assertTrue(health.status(LibvirtConnection.SERVICE_NAME).startsWith("NOT_SERVING"),
                health.status(LibvirtConnection.SERVICE_NAME));
        AimException away = assertThrows(AimException.class, () -> connection.call(c -> c.getHostName()));
        assertEquals(Status.Code.UNAVAILABLE, away.code());
        assertEquals("LIBVIRT_UNREACHABLE", away.reason().name());
        AimException noActions = assertThrows(AimException.class,
                () -> connection.act("defining", c -> c.getHostName()));
        assertEquals(Status.Code.UNAVAILABLE, noActions.code());
        assertEquals("LIBVIRT_UNREACHABLE", noActions.reason().name());
        assertThrows(AimException.class, connection::domainStates);

        // The scenario, not a wait: an outage long enough for a few reconnect attempts to fail.
        Thread.sleep(1500);
        daemon.start();   // returns once the daemon answers virsh: its start-up is not counted
        long restarted = System.nanoTime();
        assertEquals("reconnected", listener.connectionChanges.poll(WAIT.toSeconds(), TimeUnit.SECONDS));
        long backMillis = (System.nanoTime() - restarted) / 1_000_000;
        assertTrue(connection.connected());
        assertEquals("SERVING", health.status(LibvirtConnection.SERVICE_NAME));
        // The lifecycle callback is registered again on the new connection.
        defineAndExpectEvent("aimtest-lv-after");
        System.out.printf("daemon death noticed in %d ms (%s); reconnected %d ms after the daemon answered again%n",
                noticedMillis, why, backMillis);
        // Loose bounds (the reason above says how it was noticed): a loaded machine may add seconds, and both are
        // still far from what a stuck connection would take (no notice at all, no reconnect with a 1 s backoff).
        assertTrue(noticedMillis < 10_000, "noticed after " + noticedMillis + " ms");
        assertTrue(backMillis < 10_000, "back after " + backMillis + " ms (max backoff 1 s)");
    }

    @Test
    void aFrozenDaemonIsDetectedByKeepalive() throws Exception {
        assertEquals("connected", listener.connectionChanges.poll(WAIT.toSeconds(), TimeUnit.SECONDS));
        long frozen = System.nanoTime();
        daemon.signal("STOP");
        try {
            // keepalive 1 s x 2: the client gives up after about 3 s of silence
            assertEquals("disconnected", listener.connectionChanges.poll(WAIT.toSeconds(), TimeUnit.SECONDS));
            long noticedMillis = (System.nanoTime() - frozen) / 1_000_000;
            System.out.printf("frozen daemon noticed by keepalive in %d ms%n", noticedMillis);
            assertTrue(noticedMillis >= 1000, "noticed after only " + noticedMillis + " ms");
            assertFalse(connection.connected());
            assertTrue(health.status(LibvirtConnection.SERVICE_NAME).contains("KEEPALIVE"),
                    health.status(LibvirtConnection.SERVICE_NAME));
            AimException away = assertThrows(AimException.class, () -> connection.call(c -> c.getHostName()));
            assertEquals(Status.Code.UNAVAILABLE, away.code());
        } finally {
            daemon.signal("CONT");
        }
        assertEquals("reconnected", listener.connectionChanges.poll(WAIT.toSeconds(), TimeUnit.SECONDS));
        defineAndExpectEvent("aimtest-lv-thawed");
    }

    private void defineAndExpectEvent(String name) throws Exception {
        String xml = "<domain type='test'><name>" + name + "</name><memory unit='MiB'>64</memory>"
                + "<os><type>hvm</type></os></domain>";
        String uuid = connection.act("defining " + name, c -> c.domainDefineXML(xml).getUUIDString());
        var event = listener.await(e -> e.uuid().equals(uuid), WAIT);
        assertEquals(DomainStates.EVENT_DEFINED, event.eventType());
    }
}
