package com.abiquo.aim.libvirt.domain;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.abiquo.aim.core.error.AimException;
import com.abiquo.aim.libvirt.connection.ConnectionSettings;
import com.abiquo.aim.libvirt.connection.DomainStates;
import com.abiquo.aim.libvirt.connection.LibvirtConnection;
import com.abiquo.aim.libvirt.connection.RecordingListener;
import com.abiquo.aim.libvirt.connection.TestDomains;
import com.abiquo.aim.testing.RecordingHealth;
import io.grpc.Status;
import java.time.Duration;
import java.util.UUID;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** DomainOperations on libvirt's in-process test driver: error codes read before handles are freed, handles freed. */
class DomainOperationsTest {
    private LibvirtConnection connection;
    private DomainOperations operations;
    private final RecordingListener events = new RecordingListener();
    private final String name = "aimtest-ops-" + UUID.randomUUID().toString().substring(0, 8);

    @BeforeEach
    void connect() {
        connection = new LibvirtConnection(ConnectionSettings.of("test:///default"), new RecordingHealth());
        connection.addListener(events);
        connection.start(Duration.ofSeconds(10));
        operations = new DomainOperations(connection);
    }

    @AfterEach
    void cleanUp() {
        TestDomains.remove(connection, name);
        connection.close();
    }

    private String define() throws AimException {
        return operations.define("<domain type='test'><name>" + name + "</name><memory unit='MiB'>64</memory>"
                + "<os><type>hvm</type></os></domain>").domain().uuid();
    }

    @Test
    void aFailureFromSixtyUpIsMappedFromItsTrueCodeAlthoughTheHandleIsFreedFirst() throws Exception {
        define();
        // libvirt answers VIR_ERR_NO_DOMAIN_SNAPSHOT (72); the domain's handle is freed before the failure is mapped,
        // and virDomainFree resets the thread's last error. libvirt-java names 72 VIR_ERR_STORAGE_POOL_BUILT
        // (libvirt's 76, ALREADY_EXISTS): the status must not come from that name.
        AimException failure = assertThrows(AimException.class, () -> operations.onDomain(
                "looking up snapshot 'none' of", DomainSelector.byName(name), d -> d.snapshotLookupByName("none")));
        assertEquals(Status.Code.NOT_FOUND, failure.code(), failure.getMessage());
        assertEquals("72", failure.metadata().get("libvirt_code"));
        assertEquals("LIBVIRT_NO_DOMAIN_SNAPSHOT", failure.reason().name());
        assertTrue(failure.getMessage().startsWith("looking up snapshot 'none' of domain '" + name + "' failed: "),
                failure.getMessage());
    }

    @Test
    void everyOperationFreesItsHandlesAndEveryEventsHandleIsFreed() throws Exception {
        int before = ConnectionRefs.settled(connection);
        String uuid = define();
        DomainSelector selector = DomainSelector.byName(name);
        DomainSelector byUuid = DomainSelector.byUuid(uuid);
        operations.define("<domain type='test'><uuid>" + uuid + "</uuid><name>" + name + "</name>"
                + "<memory unit='MiB'>128</memory><os><type>hvm</type></os></domain>");
        assertEquals(DomainStates.SHUTOFF, operations.state(byUuid));
        operations.info(selector);
        operations.find(selector);
        operations.list(true);
        assertEquals(DomainStates.RUNNING, operations.powerOn(selector));
        assertEquals(DomainStates.PAUSED, operations.pause(selector));
        assertEquals(DomainStates.RUNNING, operations.resume(selector));
        assertEquals(DomainStates.RUNNING, operations.reset(selector));
        assertThrows(AimException.class, () -> operations.powerOn(selector)); // already running
        assertThrows(AimException.class, () -> operations.wakeUp(selector)); // not suspended to RAM
        assertEquals(DomainStates.SHUTOFF, operations.shutdown(selector, Duration.ofSeconds(5)).state());
        assertThrows(AimException.class, () -> operations.powerOff(selector)); // not running
        events.await(e -> e.uuid().equals(uuid) && e.eventType() == DomainStates.EVENT_STOPPED, Duration.ofSeconds(60));
        assertEquals(before, ConnectionRefs.settled(connection),
                "references to the connection left behind by domain handles that were not freed");
    }

    @Test
    void whoReadsAfterAnActionSeesItsEffectWhileOthersReadTheSameDomainWithoutPause() throws Exception {
        define();
        DomainSelector selector = DomainSelector.byName(name);
        AtomicBoolean reading = new AtomicBoolean(true);
        AtomicLong othersRead = new AtomicLong();
        ExecutorService others = Executors.newFixedThreadPool(8);
        try {
            for (int i = 0; i < 8; i++) {
                others.submit(() -> {
                    while (reading.get()) {
                        operations.state(selector);
                        othersRead.incrementAndGet();
                    }
                    return null;
                });
            }
            // Joined reads may serve these reads with others' round trips, never with one that began before the action
            for (int round = 0; round < 50; round++) {
                operations.powerOn(selector);
                assertEquals(DomainStates.RUNNING, operations.state(selector), "round " + round + ", after power-on");
                operations.powerOff(selector);
                assertEquals(DomainStates.SHUTOFF, operations.state(selector), "round " + round + ", after power-off");
            }
        } finally {
            reading.set(false);
            others.shutdown();
            assertTrue(others.awaitTermination(10, TimeUnit.SECONDS));
        }
        assertTrue(othersRead.get() > 100, "the other readers read " + othersRead.get() + " times: nothing was shared");
    }
}
