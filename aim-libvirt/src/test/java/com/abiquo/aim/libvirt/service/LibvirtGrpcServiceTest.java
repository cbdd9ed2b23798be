package com.abiquo.aim.libvirt.service;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.abiquo.aim.libvirt.connection.TestDomains;
import com.abiquo.aim.v1.DefineDomainRequest;
import com.abiquo.aim.v1.DefineDomainResponse;
import com.abiquo.aim.v1.DomainExistsRequest;
import com.abiquo.aim.v1.DomainMetric;
import com.abiquo.aim.v1.DomainRef;
import com.abiquo.aim.v1.DomainState;
import com.abiquo.aim.v1.GetDatapointsRequest;
import com.abiquo.aim.v1.GetDatapointsResponse;
import com.abiquo.aim.v1.GetDomainBlockInfoRequest;
import com.abiquo.aim.v1.GetDomainInfoRequest;
import com.abiquo.aim.v1.GetDomainStateRequest;
import com.abiquo.aim.v1.GetNodeInfoRequest;
import com.abiquo.aim.v1.GetNodeInfoResponse;
import com.abiquo.aim.v1.LibvirtDomainInfo;
import com.abiquo.aim.v1.ListDomainsRequest;
import com.abiquo.aim.v1.PauseDomainRequest;
import com.abiquo.aim.v1.PowerOffDomainRequest;
import com.abiquo.aim.v1.PowerOnDomainRequest;
import com.abiquo.aim.v1.ResizeDomainDiskRequest;
import com.abiquo.aim.v1.ResumeDomainRequest;
import com.abiquo.aim.v1.ShutdownDomainRequest;
import com.abiquo.aim.v1.UndefineDomainRequest;
import com.abiquo.aim.v1.UndefineDomainResponse;
import com.google.protobuf.Timestamp;
import com.google.rpc.ErrorInfo;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import java.util.UUID;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** LibvirtService through a real stub on libvirt's in-process test driver. */
class LibvirtGrpcServiceTest {
    private LibvirtServiceFixture fixture;
    private final String name = "aimtest-lv-" + UUID.randomUUID().toString().substring(0, 8);

    @BeforeEach
    void start() throws Exception {
        fixture = new LibvirtServiceFixture("test:///default");
    }

    @AfterEach
    void stop() throws Exception {
        TestDomains.remove(fixture.connection, name);
        fixture.close();
    }

    private static String xml(String name, String extraDevices) {
        return "<domain type='test'><name>" + name + "</name><memory unit='MiB'>64</memory><vcpu>2</vcpu>"
                + "<os><type>hvm</type></os><devices>" + extraDevices + "</devices></domain>";
    }

    private static DomainRef byName(String name) {
        return DomainRef.newBuilder().setName(name).build();
    }

    @Test
    void nodeInfoCountsCoresAsSocketsTimesCellsTimesCores() {
        GetNodeInfoResponse node = fixture.stub.getNodeInfo(GetNodeInfoRequest.getDefaultInstance());
        assertEquals(node.getSockets() * node.getNumaCells() * node.getCoresPerSocket(), node.getCores());
        assertTrue(node.getCores() > 0);
        assertTrue(node.getMemoryBytes() > 0);
        assertEquals("TEST", node.getHypervisorType());
        assertTrue(node.getLibvirtVersion().matches("\\d+\\.\\d+\\.\\d+"), node.getLibvirtVersion());
        assertEquals("test:///default", node.getUri());
        assertFalse(node.getCpuModel().isEmpty());
    }

    @Test
    void domainLifeCycleThroughTheService() throws Exception {
        DefineDomainResponse defined = fixture.stub.defineDomain(DefineDomainRequest.newBuilder()
                .setXml(xml(name, "")).build());
        assertTrue(defined.getCreated());
        assertEquals(name, defined.getDomain().getName());
        String uuid = defined.getDomain().getUuid();
        DomainRef ref = DomainRef.newBuilder().setUuid(uuid).build();

        // Redefining updates: same uuid, created = false, new memory.
        DefineDomainResponse redefined = fixture.stub.defineDomain(DefineDomainRequest.newBuilder()
                .setXml(xml(name, "").replace("<name>", "<uuid>" + uuid + "</uuid><name>")
                        .replace(">64<", ">128<")).build());
        assertFalse(redefined.getCreated());
        assertEquals(uuid, redefined.getDomain().getUuid());

        LibvirtDomainInfo info = fixture.stub.getDomainInfo(GetDomainInfoRequest.newBuilder().setDomain(ref).build())
                .getDomain();
        assertEquals(128L << 20, info.getMaxMemoryBytes());
        assertEquals(2, info.getVcpus());
        assertEquals(DomainState.DOMAIN_STATE_SHUTOFF, info.getState());
        assertTrue(info.getPersistent());
        assertTrue(info.getXml().contains("<name>" + name + "</name>"));

        assertTrue(fixture.stub.listDomains(ListDomainsRequest.getDefaultInstance()).getDomainsList().stream()
                .anyMatch(d -> d.getUuid().equals(uuid) && d.getXml().isEmpty()));
        assertTrue(fixture.stub.domainExists(DomainExistsRequest.newBuilder().setDomain(byName(name)).build())
                .getExists());

        assertEquals(DomainState.DOMAIN_STATE_RUNNING, fixture.stub.powerOnDomain(
                PowerOnDomainRequest.newBuilder().setDomain(ref).build()).getState());
        // an action the state does not allow is the client's mistake, whatever the driver calls it (the test
        // driver says "internal error: domain is already running")
        assertCode(Status.Code.FAILED_PRECONDITION, "LIBVIRT_OPERATION_INVALID", () -> fixture.stub.powerOnDomain(
                PowerOnDomainRequest.newBuilder().setDomain(ref).build()));
        assertEquals(DomainState.DOMAIN_STATE_PAUSED, fixture.stub.pauseDomain(
                PauseDomainRequest.newBuilder().setDomain(ref).build()).getState());
        assertCode(Status.Code.FAILED_PRECONDITION, "LIBVIRT_OPERATION_INVALID", () -> fixture.stub.pauseDomain(
                PauseDomainRequest.newBuilder().setDomain(ref).build()));
        assertEquals(DomainState.DOMAIN_STATE_RUNNING, fixture.stub.resumeDomain(
                ResumeDomainRequest.newBuilder().setDomain(ref).build()).getState());
        var shutdown = fixture.stub.shutdownDomain(ShutdownDomainRequest.newBuilder().setDomain(ref)
                .setTimeout(com.google.protobuf.Duration.newBuilder().setSeconds(5)).build());
        assertEquals(DomainState.DOMAIN_STATE_SHUTOFF, shutdown.getState());
        assertFalse(shutdown.getForced());
        assertEquals(DomainState.DOMAIN_STATE_SHUTOFF, fixture.stub.getDomainState(
                GetDomainStateRequest.newBuilder().setDomain(ref).build()).getState());

        StatusRuntimeException notRunning = assertThrows(StatusRuntimeException.class,
                () -> fixture.stub.powerOffDomain(PowerOffDomainRequest.newBuilder().setDomain(ref).build()));
        assertEquals(Status.Code.FAILED_PRECONDITION, notRunning.getStatus().getCode());
        // found by ServiceRequestsFuzzTest: shutting down a stopped domain was INTERNAL (the test driver's "internal
        // error: domain is not running")
        assertCode(Status.Code.FAILED_PRECONDITION, "LIBVIRT_OPERATION_INVALID", () -> fixture.stub.shutdownDomain(
                ShutdownDomainRequest.newBuilder().setDomain(ref).build()));

        UndefineDomainResponse undefined = fixture.stub.undefineDomain(UndefineDomainRequest.newBuilder()
                .setDomain(ref).build());
        assertFalse(undefined.getStillRunning());
        assertTrue(undefined.getFound());
        assertFalse(fixture.stub.domainExists(DomainExistsRequest.newBuilder().setDomain(ref).build()).getExists());
        // Idempotent like every delete: a retry (by uuid or by name) succeeds and says nothing was there.
        assertEquals(UndefineDomainResponse.getDefaultInstance(), fixture.stub.undefineDomain(
                UndefineDomainRequest.newBuilder().setDomain(ref).build()));
        assertEquals(UndefineDomainResponse.getDefaultInstance(), fixture.stub.undefineDomain(
                UndefineDomainRequest.newBuilder().setDomain(byName(name)).build()));
        // A bad reference is still the caller's mistake.
        assertThrows(StatusRuntimeException.class, () -> fixture.stub.undefineDomain(
                UndefineDomainRequest.getDefaultInstance()));
    }

    @Test
    void undefiningATransientDomainFindsNoDefinitionAndLeavesItRunning() throws Exception {
        String name = "aimtest-lv-transient-" + java.util.UUID.randomUUID().toString().substring(0, 8);
        String uuid = fixture.connection.call(c -> {
            var domain = c.domainCreateXML("<domain type='test'><name>" + name + "</name><memory unit='MiB'>64"
                    + "</memory><os><type>hvm</type></os></domain>", 0);
            return domain.getUUIDString();
        });
        DomainRef ref = DomainRef.newBuilder().setUuid(uuid).build();
        UndefineDomainResponse response = fixture.stub.undefineDomain(UndefineDomainRequest.newBuilder()
                .setDomain(ref).build());
        assertFalse(response.getFound());
        assertTrue(response.getStillRunning());
        assertEquals(DomainState.DOMAIN_STATE_RUNNING, fixture.stub.getDomainState(
                GetDomainStateRequest.newBuilder().setDomain(ref).build()).getState());
        fixture.stub.powerOffDomain(PowerOffDomainRequest.newBuilder().setDomain(ref).build());
    }

    @Test
    void unknownDomainIsNotFoundWithLibvirtDetails() throws Exception {
        StatusRuntimeException failure = assertThrows(StatusRuntimeException.class,
                () -> fixture.stub.getDomainState(GetDomainStateRequest.newBuilder()
                        .setDomain(byName("aimtest-lv-missing")).build()));
        assertEquals(Status.Code.NOT_FOUND, failure.getStatus().getCode());
        assertTrue(failure.getStatus().getDescription().contains("aimtest-lv-missing"),
                failure.getStatus().getDescription());
        ErrorInfo info = LibvirtServiceFixture.errorInfo(failure);
        assertEquals("LIBVIRT_NO_DOMAIN", info.getReason());
        assertEquals("42", info.getMetadataOrThrow("libvirt_code"));

        StatusRuntimeException byUuid = assertThrows(StatusRuntimeException.class,
                () -> fixture.stub.powerOnDomain(PowerOnDomainRequest.newBuilder().setDomain(DomainRef.newBuilder()
                        .setUuid(UUID.randomUUID().toString())).build()));
        assertEquals(Status.Code.NOT_FOUND, byUuid.getStatus().getCode());
    }

    @Test
    void badRequestsGetPreciseStatusesAndTheServerKeepsServing() throws Exception {
        assertCode(Status.Code.INVALID_ARGUMENT, "DOMAIN_MISSING",
                () -> fixture.stub.getDomainState(GetDomainStateRequest.getDefaultInstance()));
        assertCode(Status.Code.INVALID_ARGUMENT, "DOMAIN_MISSING", () -> fixture.stub.getDomainState(
                GetDomainStateRequest.newBuilder().setDomain(DomainRef.getDefaultInstance()).build()));
        assertCode(Status.Code.INVALID_ARGUMENT, "DOMAIN_NAME_EMPTY", () -> fixture.stub.getDomainState(
                GetDomainStateRequest.newBuilder().setDomain(byName("")).build()));
        assertCode(Status.Code.INVALID_ARGUMENT, "DOMAIN_NAME_TOO_LONG", () -> fixture.stub.getDomainState(
                GetDomainStateRequest.newBuilder().setDomain(byName("x".repeat(300))).build()));
        assertCode(Status.Code.INVALID_ARGUMENT, "DOMAIN_NAME_INVALID", () -> fixture.stub.getDomainState(
                GetDomainStateRequest.newBuilder().setDomain(byName("a/b")).build()));
        assertCode(Status.Code.INVALID_ARGUMENT, "DOMAIN_UUID_INVALID", () -> fixture.stub.getDomainState(
                GetDomainStateRequest.newBuilder().setDomain(DomainRef.newBuilder().setUuid("not-a-uuid")).build()));
        assertCode(Status.Code.INVALID_ARGUMENT, "XML_EMPTY",
                () -> fixture.stub.defineDomain(DefineDomainRequest.getDefaultInstance()));
        assertCode(Status.Code.INVALID_ARGUMENT, "MALFORMED_XML", () -> fixture.stub.defineDomain(
                DefineDomainRequest.newBuilder().setXml("<domain><name>x</name>").build()));
        assertCode(Status.Code.INVALID_ARGUMENT, "NOT_A_DOMAIN_XML", () -> fixture.stub.defineDomain(
                DefineDomainRequest.newBuilder().setXml("<network><name>x</name></network>").build()));
        assertCode(Status.Code.INVALID_ARGUMENT, "MALFORMED_XML", () -> fixture.stub.defineDomain(
                DefineDomainRequest.newBuilder().setXml("<!DOCTYPE d [<!ENTITY e SYSTEM 'file:///etc/passwd'>]>"
                        + "<domain><name>&e;</name></domain>").build()));
        String huge = xml(name, "<!--" + "x".repeat(1 << 20) + "-->");
        assertCode(Status.Code.INVALID_ARGUMENT, "XML_TOO_LARGE", () -> fixture.stub.defineDomain(
                DefineDomainRequest.newBuilder().setXml(huge).build()));
        // libvirt itself refuses this definition (no <os>): its code decides the status.
        StatusRuntimeException refused = assertThrows(StatusRuntimeException.class, () -> fixture.stub.defineDomain(
                DefineDomainRequest.newBuilder().setXml("<domain type='test'><name>" + name
                        + "</name><memory>not-a-number</memory></domain>").build()));
        assertEquals(Status.Code.INVALID_ARGUMENT, refused.getStatus().getCode(), refused.getMessage());
        assertTrue(LibvirtServiceFixture.errorInfo(refused).getReason().startsWith("LIBVIRT_"));
        assertCode(Status.Code.INVALID_ARGUMENT, "SHUTDOWN_TIMEOUT_INVALID", () -> fixture.stub.shutdownDomain(
                ShutdownDomainRequest.newBuilder().setDomain(byName("test"))
                        .setTimeout(com.google.protobuf.Duration.newBuilder().setSeconds(-1)).build()));
        assertCode(Status.Code.INVALID_ARGUMENT, "SIZE_INVALID", () -> fixture.stub.resizeDomainDisk(
                ResizeDomainDiskRequest.newBuilder().setDomain(byName("test")).setDisk("vda").build()));
        assertCode(Status.Code.INVALID_ARGUMENT, "SIZE_INVALID", () -> fixture.stub.resizeDomainDisk(
                ResizeDomainDiskRequest.newBuilder().setDomain(byName("test")).setDisk("vda")
                        .setCapacityBytes(-1L).build()));
        assertCode(Status.Code.INVALID_ARGUMENT, "DISK_EMPTY", () -> fixture.stub.getDomainBlockInfo(
                GetDomainBlockInfoRequest.newBuilder().setDomain(byName("test")).build()));
        assertCode(Status.Code.NOT_FOUND, "DISK_NOT_FOUND", () -> fixture.stub.getDomainBlockInfo(
                GetDomainBlockInfoRequest.newBuilder().setDomain(byName("test")).setDisk("vdz").build()));

        // Still serving.
        assertEquals(DomainState.DOMAIN_STATE_RUNNING, fixture.stub.getDomainState(
                GetDomainStateRequest.newBuilder().setDomain(byName("test")).build()).getState());
    }

    @Test
    void datapointsCarryDimensionsAndHonourSince() throws Exception {
        fixture.stub.defineDomain(DefineDomainRequest.newBuilder().setXml(xml(name,
                "<disk type='file' device='disk'><source file='/guest/diskimage1'/><target dev='vda'/></disk>"
                        + "<interface type='network'><mac address='52:54:00:aa:bb:cc'/><source network='default'/>"
                        + "<target dev='aimtestnic0'/></interface>")).build());
        fixture.stub.powerOnDomain(PowerOnDomainRequest.newBuilder().setDomain(byName(name)).build());
        assertTrue(fixture.collector.collectOnce() >= 1);
        fixture.collector.collectOnce();

        GetDatapointsResponse all = fixture.stub.getDatapoints(GetDatapointsRequest.newBuilder()
                .setDomain(byName(name)).build());
        assertEquals(name, all.getName());
        var cpu = all.getMeasuresList().stream()
                .filter(m -> m.getMetric() == DomainMetric.DOMAIN_METRIC_CPU_TIME_NANOSECONDS).findFirst().orElseThrow();
        assertEquals(2, cpu.getDatapointsCount());
        assertTrue(cpu.getDimensionsMap().isEmpty());
        var memory = all.getMeasuresList().stream()
                .filter(m -> m.getMetric() == DomainMetric.DOMAIN_METRIC_MEMORY_BYTES).findFirst().orElseThrow();
        assertEquals(64L << 20, memory.getDatapoints(0).getValue());
        assertTrue(all.getMeasuresList().stream().anyMatch(m ->
                m.getMetric() == DomainMetric.DOMAIN_METRIC_DISK_READ_BYTES
                        && "vda".equals(m.getDimensionsMap().get("device"))), all.toString());
        assertTrue(all.getMeasuresList().stream().anyMatch(m ->
                m.getMetric() == DomainMetric.DOMAIN_METRIC_INTERFACE_TX_PACKETS
                        && "aimtestnic0".equals(m.getDimensionsMap().get("interface"))
                        && "52:54:00:aa:bb:cc".equals(m.getDimensionsMap().get("mac"))), all.toString());

        long future = System.currentTimeMillis() / 1000 + 3600;
        GetDatapointsResponse none = fixture.stub.getDatapoints(GetDatapointsRequest.newBuilder()
                .setDomain(byName(name)).setSince(Timestamp.newBuilder().setSeconds(future)).build());
        assertEquals(0, none.getMeasuresCount());

        assertCode(Status.Code.NOT_FOUND, "DOMAIN_NOT_FOUND", () -> fixture.stub.getDatapoints(
                GetDatapointsRequest.newBuilder().setDomain(byName("aimtest-lv-missing")).build()));
    }

    @Test
    void sinceMustBeAValidTimestamp() throws Exception {
        fixture.stub.defineDomain(DefineDomainRequest.newBuilder().setXml(xml(name, "")).build());
        fixture.stub.powerOnDomain(PowerOnDomainRequest.newBuilder().setDomain(byName(name)).build());
        assertTrue(fixture.collector.collectOnce() >= 1);
        // seconds * 1000 of these overflow to a negative "since", which answered every datapoint.
        for (Timestamp invalid : new Timestamp[] {
            Timestamp.newBuilder().setSeconds(253_402_300_800L).build(), // 10000-01-01T00:00:00Z
            Timestamp.newBuilder().setSeconds(Long.MAX_VALUE / 1000 + 1).build(),
            Timestamp.newBuilder().setSeconds(Long.MAX_VALUE).build(),
            Timestamp.newBuilder().setSeconds(-62_135_596_801L).build(), // before 0001-01-01T00:00:00Z
            Timestamp.newBuilder().setSeconds(Long.MIN_VALUE).build(),
            Timestamp.newBuilder().setSeconds(1).setNanos(-1).build(),
            Timestamp.newBuilder().setSeconds(1).setNanos(1_000_000_000).build(),
        }) {
            StatusRuntimeException failure = assertThrows(StatusRuntimeException.class, () -> fixture.stub
                    .getDatapoints(GetDatapointsRequest.newBuilder().setDomain(byName(name)).setSince(invalid).build()),
                    invalid.toString());
            assertEquals(Status.Code.INVALID_ARGUMENT, failure.getStatus().getCode(), invalid.toString());
            ErrorInfo info = LibvirtServiceFixture.errorInfo(failure);
            assertEquals("SINCE_INVALID", info.getReason());
            assertEquals("since", info.getMetadataOrThrow("field"));
            assertTrue(failure.getStatus().getDescription().contains("since"), failure.getStatus().getDescription());
        }
        // The last valid instant: nothing was collected after it; the first one (and any before 1970): everything.
        assertEquals(0, fixture.stub.getDatapoints(GetDatapointsRequest.newBuilder().setDomain(byName(name))
                .setSince(Timestamp.newBuilder().setSeconds(253_402_300_799L).setNanos(999_999_999)).build())
                .getMeasuresCount());
        for (long seconds : new long[] {-62_135_596_800L, -1L}) {
            assertTrue(fixture.stub.getDatapoints(GetDatapointsRequest.newBuilder().setDomain(byName(name))
                    .setSince(Timestamp.newBuilder().setSeconds(seconds)).build()).getMeasuresCount() > 0);
        }
    }

    static void assertCode(Status.Code code, String reason, Runnable call) throws Exception {
        StatusRuntimeException failure = assertThrows(StatusRuntimeException.class, call::run);
        assertEquals(code, failure.getStatus().getCode(), failure.getStatus().getDescription());
        assertEquals(reason, LibvirtServiceFixture.errorInfo(failure).getReason(),
                failure.getStatus().getDescription());
    }
}
