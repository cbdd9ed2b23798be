package com.abiquo.aim.libvirt.connection;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.abiquo.aim.core.error.AimException;
import com.abiquo.aim.testing.RecordingHealth;
import io.grpc.Status;
import java.time.Duration;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The connection on libvirt's in-process test driver: events, states and error mapping. */
class LibvirtConnectionTest {
    private static final Duration WAIT = Duration.ofSeconds(5);

    private final RecordingHealth health = new RecordingHealth();
    private final RecordingListener listener = new RecordingListener();
    private LibvirtConnection connection;
    private final String name = "aimtest-conn-" + UUID.randomUUID().toString().substring(0, 8);

    @BeforeEach
    void connect() {
        connection = new LibvirtConnection(ConnectionSettings.of("test:///default"), health);
        connection.addListener(listener);
        connection.start(Duration.ofSeconds(10));
    }

    @AfterEach
    void cleanUp() throws Exception {
        TestDomains.remove(connection, name);
        connection.close();
    }

    static String xml(String name) {
        return "<domain type='test'><name>" + name + "</name><memory unit='MiB'>64</memory>"
                + "<os><type>hvm</type></os></domain>";
    }

    @Test
    void connectsAndReportsServing() throws Exception {
        assertTrue(connection.connected());
        assertEquals("SERVING", health.status(LibvirtConnection.SERVICE_NAME));
        assertEquals("connected", listener.connectionChanges.poll(WAIT.toMillis(),
                java.util.concurrent.TimeUnit.MILLISECONDS));
        assertEquals("test:///default", connection.uri());
    }

    @Test
    // The state each event leaves a domain in is the events monitor's (StateAfterEachEventTest), not the connection's.
    void lifecycleEventsSayWhatLibvirtReported() throws Exception {
        String uuid = connection.call(c -> c.domainDefineXML(xml(name)).getUUIDString());
        var defined = listener.await(e -> e.uuid().equals(uuid), WAIT);
        assertEquals(DomainStates.EVENT_DEFINED, defined.eventType());
        assertEquals(0, defined.detail()); // ADDED
        assertEquals(name, defined.name());

        connection.call(c -> c.domainLookupByName(name).create());
        var started = listener.await(e -> e.uuid().equals(uuid), WAIT);
        assertEquals(DomainStates.EVENT_STARTED, started.eventType());

        connection.call(c -> {
            c.domainLookupByName(name).suspend();
            return null;
        });
        var paused = listener.await(e -> e.uuid().equals(uuid), WAIT);
        assertEquals(DomainStates.EVENT_SUSPENDED, paused.eventType());

        connection.call(c -> {
            c.domainLookupByName(name).destroy();
            return null;
        });
        var stopped = listener.await(e -> e.uuid().equals(uuid), WAIT);
        assertEquals(DomainStates.EVENT_STOPPED, stopped.eventType());
        assertEquals(1, stopped.detail()); // DESTROYED

        connection.call(c -> {
            c.domainLookupByName(name).undefine();
            return null;
        });
        var undefined = listener.await(e -> e.uuid().equals(uuid), WAIT);
        assertEquals(DomainStates.EVENT_UNDEFINED, undefined.eventType());
        assertEquals(name, undefined.name());
    }

    @Test
    void domainStatesListsActiveAndDefinedDomains() throws Exception {
        String uuid = connection.call(c -> c.domainDefineXML(xml(name)).getUUIDString());
        var states = connection.domainStates();
        assertTrue(states.stream().anyMatch(s -> s.uuid().equals(uuid) && s.state() == DomainStates.SHUTOFF
                && s.name().equals(name)), states.toString());
        // test:///default always has a running domain called "test"
        assertTrue(states.stream().anyMatch(s -> s.name().equals("test") && s.state() == DomainStates.RUNNING));
    }

    @Test
    void actionsRunOnAConnectionOfTheirOwnThatSeesTheSameDomainsAndMapsFailuresAlike() throws Exception {
        assertNotSame(connection.call(c -> c), connection.act("", c -> c));
        String uuid = connection.act("defining domain '" + name + "'", c -> c.domainDefineXML(xml(name))
                .getUUIDString());
        // the event of an action on the actions connection reaches the listener of the reads connection
        assertEquals(DomainStates.EVENT_DEFINED, listener.await(e -> e.uuid().equals(uuid), WAIT).eventType());
        assertEquals(uuid, connection.call(c -> c.domainLookupByName(name).getUUIDString()));
        AimException failure = assertThrows(AimException.class, () -> connection.act("powering off domain '" + name
                + "'", c -> {
                    c.domainLookupByName(name).destroy();
                    return null;
                }));
        assertEquals(Status.Code.FAILED_PRECONDITION, failure.code(), failure.getMessage());
        assertEquals("55", failure.metadata().get("libvirt_code"));
        assertTrue(failure.getMessage().startsWith("powering off domain '" + name + "' failed: "),
                failure.getMessage());
    }

    @Test
    void unknownDomainIsNotFoundWithLibvirtsTrueCode() {
        AimException failure = assertThrows(AimException.class,
                () -> connection.call("looking up domain 'nope'", c -> c.domainLookupByName("aimtest-nope")));
        assertEquals(Status.Code.NOT_FOUND, failure.code());
        assertEquals("42", failure.metadata().get("libvirt_code"));
        assertEquals("VIR_ERR_NO_DOMAIN", failure.metadata().get("libvirt_error"));
        assertEquals("LIBVIRT_NO_DOMAIN", failure.reason().name());
        assertTrue(failure.getMessage().startsWith("looking up domain 'nope' failed: "), failure.getMessage());
    }

    @Test
    void malformedXmlIsInvalidArgument() {
        AimException failure = assertThrows(AimException.class,
                () -> connection.call(c -> c.domainDefineXML("<domain><name>x</name")));
        assertEquals(Status.Code.INVALID_ARGUMENT, failure.code(), failure.getMessage());
    }

    @Test
    void destroyingAStoppedDomainIsFailedPrecondition() throws Exception {
        connection.call(c -> c.domainDefineXML(xml(name)));
        AimException failure = assertThrows(AimException.class, () -> connection.call(c -> {
            c.domainLookupByName(name).destroy();
            return null;
        }));
        assertEquals(Status.Code.FAILED_PRECONDITION, failure.code(), failure.getMessage());
        assertEquals("55", failure.metadata().get("libvirt_code"));
    }

    @Test
    void codesFromSixtyUpAreNotShifted() throws Exception {
        // VIR_ERR_NO_DOMAIN_SNAPSHOT is 72; libvirt-java's enum names it VIR_ERR_STORAGE_POOL_BUILT (libvirt's 76).
        connection.call(c -> c.domainDefineXML(xml(name)));
        AimException failure = assertThrows(AimException.class,
                () -> connection.call(c -> c.domainLookupByName(name).snapshotLookupByName("none")));
        assertEquals("72", failure.metadata().get("libvirt_code"), failure.getMessage());
        assertEquals(Status.Code.NOT_FOUND, failure.code());
    }

    @Test
    void unreachableDaemonIsUnavailableAndNotServing() throws Exception {
        LibvirtConnection nowhere = new LibvirtConnection(
                ConnectionSettings.of("qemu:///system?socket=/nonexistent/aimtest.sock"), health);
        try {
            nowhere.start(Duration.ofSeconds(5));
            assertFalse(nowhere.connected());
            assertTrue(health.status(LibvirtConnection.SERVICE_NAME).startsWith("NOT_SERVING"));
            AimException failure = assertThrows(AimException.class, () -> nowhere.call(c -> c.getHostName()));
            assertEquals(Status.Code.UNAVAILABLE, failure.code());
            assertEquals(Status.Code.UNAVAILABLE, assertThrows(AimException.class,
                    () -> nowhere.act("defining", c -> c.getHostName())).code());
            assertThrows(AimException.class, nowhere::domainStates);
        } finally {
            nowhere.close();
        }
    }

    /** A login in [monitor] uri (qemu+ssh://user:password@host) shows in no health text, message or answer. */
    @Test
    void userInformationInTheUriNeverShows() throws Exception {
        String secret = "S3cretInUri";
        LibvirtConnection remote = new LibvirtConnection(ConnectionSettings.of(
                "qemu+tcp://admin:" + secret + "@127.0.0.1:1/system"), health);
        try {
            remote.start(Duration.ofSeconds(5));
            assertFalse(remote.connected());
            AimException failure = assertThrows(AimException.class, () -> remote.call(c -> c.getHostName()));
            for (String shown : List.of(health.status(LibvirtConnection.SERVICE_NAME), failure.getMessage(),
                    failure.metadata().toString(), remote.uri())) {
                assertFalse(shown.contains(secret) || shown.contains("admin"), shown);
            }
            assertEquals("qemu+tcp://***@127.0.0.1:1/system", remote.uri());
        } finally {
            remote.close();
        }
    }
}
