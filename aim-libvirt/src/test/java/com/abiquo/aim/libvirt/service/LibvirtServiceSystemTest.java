package com.abiquo.aim.libvirt.service;

import static com.abiquo.aim.libvirt.service.LibvirtGrpcServiceTest.assertCode;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.abiquo.aim.libvirt.connection.DomainStates;
import com.abiquo.aim.libvirt.connection.RecordingListener;
import com.abiquo.aim.testing.Waits;
import com.abiquo.aim.v1.DefineDomainRequest;
import com.abiquo.aim.v1.DomainExistsRequest;
import com.abiquo.aim.v1.DomainMetric;
import com.abiquo.aim.v1.DomainRef;
import com.abiquo.aim.v1.DomainState;
import com.abiquo.aim.v1.GetDatapointsRequest;
import com.abiquo.aim.v1.GetDomainBlockInfoRequest;
import com.abiquo.aim.v1.GetDomainInfoRequest;
import com.abiquo.aim.v1.GetNodeInfoRequest;
import com.abiquo.aim.v1.PauseDomainRequest;
import com.abiquo.aim.v1.PowerOffDomainRequest;
import com.abiquo.aim.v1.PowerOnDomainRequest;
import com.abiquo.aim.v1.ResetDomainRequest;
import com.abiquo.aim.v1.ResizeDomainDiskRequest;
import com.abiquo.aim.v1.ResumeDomainRequest;
import com.abiquo.aim.v1.ShutdownDomainRequest;
import com.abiquo.aim.v1.UndefineDomainRequest;
import io.grpc.Status;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * LibvirtService against the system libvirtd (qemu:///system) with real KVM domains (TCG where /dev/kvm is missing):
 * 64 MiB, no OS, sitting in the BIOS, which is enough for every lifecycle operation. Set up by
 * scripts/setup.d/20-libvirt.sh.
 */
@Tag("system")
class LibvirtServiceSystemTest {
    private static final String RUN = UUID.randomUUID().toString().substring(0, 8);
    /** How long an event may take on the system libvirtd of a loaded machine; each wait ends at its event. */
    private static final Duration EVENT_WAIT = Duration.ofSeconds(60);
    private LibvirtServiceFixture fixture;
    private final List<String> created = new ArrayList<>();
    private final List<Path> files = new ArrayList<>();

    @BeforeEach
    void start() throws Exception {
        fixture = new LibvirtServiceFixture("qemu:///system");
        assertTrue(fixture.connection.connected(), "qemu:///system is not reachable: "
                + fixture.connection.lastFailure() + " (run scripts/setup.d/20-libvirt.sh)");
    }

    @AfterEach
    void stop() throws Exception {
        for (String name : created) {
            try {
                fixture.connection.call(c -> {
                    var domain = c.domainLookupByName(name);
                    if (domain.isActive() == 1) {
                        domain.destroy();
                    }
                    if (domain.isPersistent() == 1) {
                        domain.undefine(1 | 2); // with its managed-save image and snapshot metadata
                    }
                    return null;
                });
            } catch (Exception gone) {
                // removed by the test
            }
        }
        for (Path file : files) {
            Files.deleteIfExists(file);
        }
        fixture.close();
    }

    private String newName(String what) {
        String name = "aimtest-lv-" + RUN + "-" + what;
        created.add(name);
        return name;
    }

    static String kvmXml(String name, String devices) {
        String type = Files.exists(Path.of("/dev/kvm")) ? "kvm" : "qemu";
        return "<domain type='" + type + "'><name>" + name + "</name><memory unit='MiB'>64</memory><vcpu>1</vcpu>"
                + "<os><type arch='x86_64' machine='pc'>hvm</type></os><devices><serial type='pty'/>"
                + devices + "</devices></domain>";
    }

    private static DomainRef ref(String name) {
        return DomainRef.newBuilder().setName(name).build();
    }

    @Test
    void nodeInfoOfTheRealHypervisor() {
        var node = fixture.stub.getNodeInfo(GetNodeInfoRequest.getDefaultInstance());
        assertEquals("QEMU", node.getHypervisorType());
        assertEquals(node.getSockets() * node.getNumaCells() * node.getCoresPerSocket(), node.getCores());
        assertTrue(node.getLogicalCpus() >= 1);
        assertTrue(node.getMemoryBytes() > 0);
        assertEquals("x86_64", node.getCpuArchitecture());
        assertFalse(node.getHostname().isEmpty());
    }

    @Test
    void aRealDomainThroughItsWholeLifeWithEvents() throws Exception {
        // The connection's events say what libvirt reported; the state after each is the events monitor's
        // (StateAfterEachEventTest follows a KVM domain's life there).
        RecordingListener events = new RecordingListener();
        fixture.connection.addListener(events);
        String name = newName("life");
        var defined = fixture.stub.defineDomain(DefineDomainRequest.newBuilder().setXml(kvmXml(name, "")).build());
        assertTrue(defined.getCreated());
        String uuid = defined.getDomain().getUuid();
        DomainRef ref = ref(name);
        assertEquals(DomainStates.EVENT_DEFINED, events.await(e -> e.uuid().equals(uuid), EVENT_WAIT)
                .eventType());

        assertEquals(DomainState.DOMAIN_STATE_RUNNING,
                fixture.stub.powerOnDomain(PowerOnDomainRequest.newBuilder().setDomain(ref).build()).getState());
        // QEMU reports RESUMED (CPUs started) and then STARTED (booted); both mean running.
        events.await(e -> e.uuid().equals(uuid) && e.eventType() == DomainStates.EVENT_STARTED, EVENT_WAIT);

        // libvirt says "domain is already running": OPERATION_INVALID (55), a precondition.
        assertCode(Status.Code.FAILED_PRECONDITION, "LIBVIRT_OPERATION_INVALID",
                () -> fixture.stub.powerOnDomain(PowerOnDomainRequest.newBuilder().setDomain(ref).build()));

        assertEquals(DomainState.DOMAIN_STATE_PAUSED,
                fixture.stub.pauseDomain(PauseDomainRequest.newBuilder().setDomain(ref).build()).getState());
        events.await(e -> e.uuid().equals(uuid) && e.eventType() == DomainStates.EVENT_SUSPENDED,
                EVENT_WAIT);
        // Pausing a paused domain succeeds; resuming a running one is a precondition failure.
        assertEquals(DomainState.DOMAIN_STATE_PAUSED,
                fixture.stub.pauseDomain(PauseDomainRequest.newBuilder().setDomain(ref).build()).getState());
        assertEquals(DomainState.DOMAIN_STATE_RUNNING,
                fixture.stub.resumeDomain(ResumeDomainRequest.newBuilder().setDomain(ref).build()).getState());
        assertCode(Status.Code.FAILED_PRECONDITION, "LIBVIRT_OPERATION_INVALID",
                () -> fixture.stub.resumeDomain(ResumeDomainRequest.newBuilder().setDomain(ref).build()));
        assertEquals(DomainState.DOMAIN_STATE_RUNNING,
                fixture.stub.resetDomain(ResetDomainRequest.newBuilder().setDomain(ref).build()).getState());

        var info = fixture.stub.getDomainInfo(GetDomainInfoRequest.newBuilder().setDomain(ref).build()).getDomain();
        assertEquals(64L << 20, info.getMemoryBytes());
        assertEquals(1, info.getVcpus());
        assertTrue(info.getXml().contains("<serial type='pty'>") || info.getXml().contains("<serial type=\"pty\">"),
                info.getXml());

        // Metrics: the running guest has used CPU time.
        assertTrue(fixture.collector.collectOnce() >= 1);
        var points = fixture.stub.getDatapoints(GetDatapointsRequest.newBuilder().setDomain(ref).build());
        var cpu = points.getMeasuresList().stream()
                .filter(m -> m.getMetric() == DomainMetric.DOMAIN_METRIC_CPU_TIME_NANOSECONDS).findFirst()
                .orElseThrow();
        assertTrue(cpu.getDatapoints(0).getValue() > 0);

        // The BIOS ignores the ACPI button: after the timeout the domain is forced off.
        var shutdown = fixture.stub.shutdownDomain(ShutdownDomainRequest.newBuilder().setDomain(ref)
                .setTimeout(com.google.protobuf.Duration.newBuilder().setSeconds(1)).build());
        assertTrue(shutdown.getForced());
        assertEquals(DomainState.DOMAIN_STATE_SHUTOFF, shutdown.getState());
        events.await(e -> e.uuid().equals(uuid) && e.eventType() == DomainStates.EVENT_STOPPED, EVENT_WAIT);

        assertCode(Status.Code.FAILED_PRECONDITION, "LIBVIRT_OPERATION_INVALID",
                () -> fixture.stub.powerOffDomain(PowerOffDomainRequest.newBuilder().setDomain(ref).build()));

        assertFalse(fixture.stub.undefineDomain(UndefineDomainRequest.newBuilder().setDomain(ref).build())
                .getStillRunning());
        events.await(e -> e.uuid().equals(uuid) && e.eventType() == DomainStates.EVENT_UNDEFINED,
                EVENT_WAIT);
        assertFalse(fixture.stub.domainExists(DomainExistsRequest.newBuilder().setDomain(ref).build()).getExists());
    }

    @Test
    void undefiningARunningDomainLeavesItTransientUntilPowerOff() {
        String name = newName("transient");
        fixture.stub.defineDomain(DefineDomainRequest.newBuilder().setXml(kvmXml(name, "")).build());
        DomainRef ref = ref(name);
        fixture.stub.powerOnDomain(PowerOnDomainRequest.newBuilder().setDomain(ref).build());
        assertTrue(fixture.stub.undefineDomain(UndefineDomainRequest.newBuilder().setDomain(ref).build())
                .getStillRunning());
        assertFalse(fixture.stub.getDomainInfo(GetDomainInfoRequest.newBuilder().setDomain(ref).build()).getDomain()
                .getPersistent());
        assertEquals(DomainState.DOMAIN_STATE_UNDEFINED,
                fixture.stub.powerOffDomain(PowerOffDomainRequest.newBuilder().setDomain(ref).build()).getState());
    }

    @Test
    void aDomainWithAManagedSaveImageAndSnapshotMetadataIsUndefined() throws Exception {
        String name = newName("saved");
        fixture.stub.defineDomain(DefineDomainRequest.newBuilder().setXml(kvmXml(name, "")).build());
        DomainRef ref = ref(name);
        fixture.stub.powerOnDomain(PowerOnDomainRequest.newBuilder().setDomain(ref).build());
        fixture.connection.call(c -> c.domainLookupByName(name).managedSave());
        // Snapshot metadata alone (REDEFINE | NO_METADATA would skip it): libvirt keeps it with the domain.
        fixture.connection.call(c -> c.domainLookupByName(name).snapshotCreateXML(
                "<domainsnapshot><name>aimtest-snap</name><state>shutoff</state><creationTime>1</creationTime>"
                        + c.domainLookupByName(name).getXMLDesc(2 /* INACTIVE */) + "</domainsnapshot>",
                1 /* REDEFINE */));
        assertEquals(1, (int) fixture.connection.call(c -> c.domainLookupByName(name).hasManagedSaveImage()));
        assertEquals(1, (int) fixture.connection.call(c -> c.domainLookupByName(name).snapshotNum()));
        // Plain virDomainUndefine refuses both; AIM passes the flags that remove them.
        assertFalse(fixture.stub.undefineDomain(UndefineDomainRequest.newBuilder().setDomain(ref).build())
                .getStillRunning());
        assertFalse(fixture.stub.domainExists(DomainExistsRequest.newBuilder().setDomain(ref).build()).getExists());
    }

    @Test
    void aRunningDomainsDiskGrowsLive() throws Exception {
        Path image = Path.of("/tmp/aimtest-lv-" + RUN + "-disk.qcow2");
        files.add(image);
        Process qemuImg = new ProcessBuilder("qemu-img", "create", "-q", "-f", "qcow2", image.toString(), "16M")
                .redirectErrorStream(true).start();
        assertTrue(qemuImg.waitFor(30, TimeUnit.SECONDS));
        assertEquals(0, qemuImg.exitValue(), new String(qemuImg.getInputStream().readAllBytes()));
        String name = newName("disk");
        fixture.stub.defineDomain(DefineDomainRequest.newBuilder().setXml(kvmXml(name,
                "<disk type='file' device='disk'><driver name='qemu' type='qcow2'/><source file='" + image
                        + "'/><target dev='vda' bus='virtio'/></disk>")).build());
        DomainRef ref = ref(name);

        var block = fixture.stub.getDomainBlockInfo(GetDomainBlockInfoRequest.newBuilder().setDomain(ref)
                .setDisk("vda").build()).getBlock();
        assertEquals(16L << 20, block.getCapacityBytes());
        assertEquals(image.toString(), block.getPath());

        assertCode(Status.Code.FAILED_PRECONDITION, "DOMAIN_NOT_RUNNING", () -> fixture.stub.resizeDomainDisk(
                ResizeDomainDiskRequest.newBuilder().setDomain(ref).setDisk("vda").setCapacityBytes(32L << 20)
                        .build()));
        fixture.stub.powerOnDomain(PowerOnDomainRequest.newBuilder().setDomain(ref).build());
        var grown = fixture.stub.resizeDomainDisk(ResizeDomainDiskRequest.newBuilder().setDomain(ref)
                .setDisk(image.toString()).setCapacityBytes(32L << 20).build()).getBlock();
        assertEquals(32L << 20, grown.getCapacityBytes());
        assertEquals("vda", grown.getTarget());
        assertCode(Status.Code.FAILED_PRECONDITION, "DISK_SHRINK_REFUSED", () -> fixture.stub.resizeDomainDisk(
                ResizeDomainDiskRequest.newBuilder().setDomain(ref).setDisk("vda").setCapacityBytes(8L << 20)
                        .build()));
        assertCode(Status.Code.NOT_FOUND, "DISK_NOT_FOUND", () -> fixture.stub.getDomainBlockInfo(
                GetDomainBlockInfoRequest.newBuilder().setDomain(ref).setDisk("vdb").build()));

        // Disk counters carry the device name from the live XML.
        fixture.collector.collectOnce();
        var points = fixture.stub.getDatapoints(GetDatapointsRequest.newBuilder().setDomain(ref).build());
        assertTrue(points.getMeasuresList().stream().anyMatch(m ->
                m.getMetric() == DomainMetric.DOMAIN_METRIC_DISK_READ_REQUESTS
                        && "vda".equals(m.getDimensionsMap().get("device"))), points.toString());
    }

    @Test
    void aDomainWhoseNameIsTakenByAnotherUuidIsAlreadyExists() throws Exception {
        String name = newName("dup");
        fixture.stub.defineDomain(DefineDomainRequest.newBuilder().setXml(kvmXml(name, "")).build());
        String other = kvmXml(name, "").replace("<name>", "<uuid>" + UUID.randomUUID() + "</uuid><name>");
        var failure = org.junit.jupiter.api.Assertions.assertThrows(io.grpc.StatusRuntimeException.class,
                () -> fixture.stub.defineDomain(DefineDomainRequest.newBuilder().setXml(other).build()));
        assertEquals(Status.Code.ALREADY_EXISTS, failure.getStatus().getCode(), failure.getMessage());
    }

    @Test
    void aDomainWhoseJobIsHeldAnswersTheTimeoutNotNotFound() throws Exception {
        String name = newName("busy");
        fixture.stub.defineDomain(DefineDomainRequest.newBuilder().setXml(kvmXml(name, "")).build());
        DomainRef ref = ref(name);
        fixture.stub.powerOnDomain(PowerOnDomainRequest.newBuilder().setDomain(ref).build());
        String pid = Files.readString(Path.of("/run/libvirt/qemu/" + name + ".pid")).strip();
        // A frozen QEMU never answers the "stop" of this suspend, which keeps the domain's job meanwhile.
        run("kill", "-STOP", pid);
        Process holder = null;
        Thread thaw = new Thread(() -> {
            try {
                Thread.sleep(120_000); // not a wait: a safety net that thaws QEMU should the test die before it does
                run("kill", "-CONT", pid);
            } catch (Exception stopped) {
                // thawed by the test
            }
        });
        thaw.setDaemon(true);
        thaw.start();
        try {
            holder = new ProcessBuilder("virsh", "-c", "qemu:///system", "suspend", name).redirectErrorStream(true)
                    .start();
            // domcontrol needs no job: "occupied" once the suspend waits for QEMU's monitor with the job held.
            Waits.await("the suspend to take the domain's job", Duration.ofSeconds(30), Duration.ofMillis(50),
                    () -> run("virsh", "-c", "qemu:///system", "domcontrol", name).contains("occupied"));
            // libvirt waits 30 s for the job, then: "Timed out during operation: cannot acquire state change lock
            // (held by monitor=remoteDispatchDomainSuspend)", VIR_ERR_OPERATION_TIMEOUT (68), which libvirt-java
            // names VIR_ERR_NO_DOMAIN_SNAPSHOT: the domain exists, and the answer must not be NOT_FOUND.
            var failure = org.junit.jupiter.api.Assertions.assertThrows(io.grpc.StatusRuntimeException.class,
                    () -> fixture.stub.shutdownDomain(ShutdownDomainRequest.newBuilder().setDomain(ref).build()));
            assertEquals(Status.Code.DEADLINE_EXCEEDED, failure.getStatus().getCode(), failure.getMessage());
            var info = LibvirtServiceFixture.errorInfo(failure);
            assertEquals("LIBVIRT_OPERATION_TIMEOUT", info.getReason());
            assertEquals("68", info.getMetadataOrThrow("libvirt_code"));
        } finally {
            run("kill", "-CONT", pid);
            thaw.interrupt();
            if (holder != null && !holder.waitFor(30, TimeUnit.SECONDS)) {
                holder.destroyForcibly();
            }
        }
    }

    private static String run(String... command) throws Exception {
        Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
        String output = new String(process.getInputStream().readAllBytes());
        assertTrue(process.waitFor(30, TimeUnit.SECONDS), String.join(" ", command) + " hangs");
        return output;
    }
}
