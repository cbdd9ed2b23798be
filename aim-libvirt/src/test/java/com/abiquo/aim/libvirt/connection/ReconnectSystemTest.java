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
        assertEquals("connected", listener.connectionChanges.poll(5, TimeUnit.SECONDS));
        defineAndExpectEvent("aimtest-lv-before");

        long killed = System.nanoTime();
        daemon.kill();
        assertEquals("disconnected", listener.connectionChanges.poll(5, TimeUnit.SECONDS));
        long noticedMillis = (System.nanoTime() - killed) / 1_000_000;
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
        long restarted = System.nanoTime();
        daemon.start();
        assertEquals("reconnected", listener.connectionChanges.poll(10, TimeUnit.SECONDS));
        long backMillis = (System.nanoTime() - restarted) / 1_000_000;
        assertTrue(connection.connected());
        assertEquals("SERVING", health.status(LibvirtConnection.SERVICE_NAME));
        // The lifecycle callback is registered again on the new connection.
        defineAndExpectEvent("aimtest-lv-after");
        System.out.printf("daemon death noticed in %d ms; reconnected %d ms after starting the daemon again (its start-up included)%n", noticedMillis,
                backMillis);
        assertTrue(noticedMillis < 3000, "noticed after " + noticedMillis + " ms");
        assertTrue(backMillis < 10_000, "back after " + backMillis + " ms (max backoff 1 s)");
    }

    @Test
    void aFrozenDaemonIsDetectedByKeepalive() throws Exception {
        assertEquals("connected", listener.connectionChanges.poll(5, TimeUnit.SECONDS));
        long frozen = System.nanoTime();
        daemon.signal("STOP");
        try {
            // keepalive 1 s x 2: the client gives up after about 3 s of silence
            assertEquals("disconnected", listener.connectionChanges.poll(10, TimeUnit.SECONDS));
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
        assertEquals("reconnected", listener.connectionChanges.poll(10, TimeUnit.SECONDS));
        defineAndExpectEvent("aimtest-lv-thawed");
    }

    private void defineAndExpectEvent(String name) throws Exception {
        String xml = "<domain type='test'><name>" + name + "</name><memory unit='MiB'>64</memory>"
                + "<os><type>hvm</type></os></domain>";
        String uuid = connection.act("defining " + name, c -> c.domainDefineXML(xml).getUUIDString());
        var event = listener.await(e -> e.uuid().equals(uuid), Duration.ofSeconds(5));
        assertEquals(DomainStates.EVENT_DEFINED, event.eventType());
    }
}
