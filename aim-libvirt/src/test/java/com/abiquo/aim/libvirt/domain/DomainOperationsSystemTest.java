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
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.UUID;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * DomainOperations on qemu:///system with a real KVM domain (64 MiB, no OS, TCG without /dev/kvm): a libvirt code that
 * libvirt-java cannot name, and the forced power-off, which only a real guest that ignores ACPI reaches.
 */
@Tag("system")
class DomainOperationsSystemTest {
    private LibvirtConnection connection;
    private DomainOperations operations;
    private final RecordingListener events = new RecordingListener();
    private final String name = "aimtest-ops-" + UUID.randomUUID().toString().substring(0, 8);

    @BeforeEach
    void connect() {
        connection = new LibvirtConnection(ConnectionSettings.of("qemu:///system"), new RecordingHealth());
        connection.addListener(events);
        connection.start(Duration.ofSeconds(30));
        assertTrue(connection.connected(), "qemu:///system is not reachable: " + connection.lastFailure()
                + " (run scripts/setup.d/20-libvirt.sh)");
        operations = new DomainOperations(connection);
    }

    @AfterEach
    void cleanUp() {
        TestDomains.remove(connection, name);
        connection.close();
    }

    /** A running guest sitting in its BIOS: it ignores the ACPI button and never connects a guest agent. */
    private String startGuestWithAnAgentChannel() throws Exception {
        String type = Files.exists(Path.of("/dev/kvm")) ? "kvm" : "qemu";
        String uuid = operations.define("<domain type='" + type + "'><name>" + name + "</name>"
                + "<memory unit='MiB'>64</memory><vcpu>1</vcpu><os><type arch='x86_64' machine='pc'>hvm</type></os>"
                + "<devices><serial type='pty'/><channel type='unix'>"
                + "<target type='virtio' name='org.qemu.guest_agent.0'/></channel></devices></domain>")
                .domain().uuid();
        assertEquals(DomainStates.RUNNING, operations.powerOn(DomainSelector.byName(name)));
        events.await(e -> e.uuid().equals(uuid) && e.eventType() == DomainStates.EVENT_STARTED, Duration.ofSeconds(10));
        return uuid;
    }

    @Test
    void aCodeLibvirtJavaCannotNameIsMappedFromLibvirtsErrorAlthoughTheHandleIsFreedFirst() throws Exception {
        startGuestWithAnAgentChannel();
        // libvirt: VIR_ERR_AGENT_UNRESPONSIVE (86), "Guest agent is not responding: QEMU guest agent is not
        // connected". libvirt-java clamps every code from 80 up onto its VIR_ERR_UNKNOWN, so once the handle's free
        // has reset libvirt's last error nothing can tell the code any more: it must be read before.
        AimException failure = assertThrows(AimException.class, () -> operations.onDomain("pinging the agent of",
                DomainSelector.byName(name), d -> d.qemuAgentCommand("{\"execute\":\"guest-ping\"}", 1, 0)));
        assertEquals("86", failure.metadata().get("libvirt_code"), failure.getMessage());
        assertEquals("LIBVIRT_AGENT_UNRESPONSIVE", failure.reason().name());
        assertEquals(Status.Code.UNAVAILABLE, failure.code());
    }

    @Test
    void theForcedPowerOffFreesItsHandle() throws Exception {
        String uuid = startGuestWithAnAgentChannel();
        int before = ConnectionRefs.settled(connection);
        DomainOperations.ShutdownOutcome outcome = operations.shutdown(DomainSelector.byName(name),
                Duration.ofSeconds(1));
        assertTrue(outcome.forced(), "the BIOS ignores ACPI: the power-off must have been forced");
        assertEquals(DomainStates.SHUTOFF, outcome.state());
        events.await(e -> e.uuid().equals(uuid) && e.eventType() == DomainStates.EVENT_STOPPED, Duration.ofSeconds(10));
        assertEquals(before, ConnectionRefs.settled(connection),
                "references to the connection left behind by domain handles that were not freed");
    }
}
