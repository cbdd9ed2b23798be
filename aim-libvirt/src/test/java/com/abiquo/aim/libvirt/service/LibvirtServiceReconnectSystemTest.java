package com.abiquo.aim.libvirt.service;

import static com.abiquo.aim.libvirt.service.LibvirtGrpcServiceTest.assertCode;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.abiquo.aim.libvirt.connection.LibvirtConnection;
import com.abiquo.aim.libvirt.connection.PrivateLibvirtd;
import com.abiquo.aim.v1.DomainRef;
import com.abiquo.aim.v1.GetDomainStateRequest;
import com.abiquo.aim.v1.GetNodeInfoRequest;
import com.abiquo.aim.v1.ListDomainsRequest;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/** Through the gRPC service: libvirtd dies, calls answer UNAVAILABLE, libvirtd returns, calls work again. */
@Tag("system")
class LibvirtServiceReconnectSystemTest {
    @Test
    void theServiceAnswersUnavailableWhileLibvirtdIsAwayAndServesWhenItIsBack() throws Exception {
        try (PrivateLibvirtd daemon = new PrivateLibvirtd("aimtest-lv-svc-reconnect")) {
            daemon.start();
            try (LibvirtServiceFixture fixture = new LibvirtServiceFixture(daemon.testUri())) {
                assertEquals("TEST", fixture.stub.getNodeInfo(GetNodeInfoRequest.getDefaultInstance())
                        .getHypervisorType());
                daemon.kill();
                awaitUnavailable(fixture);
                assertCode(Status.Code.UNAVAILABLE, "LIBVIRT_UNREACHABLE",
                        () -> fixture.stub.listDomains(ListDomainsRequest.getDefaultInstance()));
                assertCode(Status.Code.UNAVAILABLE, "LIBVIRT_UNREACHABLE", () -> fixture.stub.getDomainState(
                        GetDomainStateRequest.newBuilder().setDomain(DomainRef.newBuilder().setName("test")).build()));
                assertTrue(fixture.health.status(LibvirtConnection.SERVICE_NAME).startsWith("NOT_SERVING"));
                // Bad input is still judged while libvirtd is away.
                assertCode(Status.Code.INVALID_ARGUMENT, "DOMAIN_MISSING",
                        () -> fixture.stub.getDomainState(GetDomainStateRequest.getDefaultInstance()));

                daemon.start();
                long deadline = System.nanoTime() + 10_000_000_000L;
                while (!fixture.connection.connected() && System.nanoTime() < deadline) {
                    Thread.sleep(20);
                }
                assertEquals("SERVING", fixture.health.status(LibvirtConnection.SERVICE_NAME));
                assertTrue(fixture.stub.listDomains(ListDomainsRequest.getDefaultInstance()).getDomainsList()
                        .stream().anyMatch(domain -> domain.getName().equals("test")));
            }
        }
    }

    /** The close callback may take a few milliseconds; until then a call may see the dying connection. */
    private static void awaitUnavailable(LibvirtServiceFixture fixture) throws InterruptedException {
        long deadline = System.nanoTime() + 5_000_000_000L;
        while (fixture.connection.connected() && System.nanoTime() < deadline) {
            Thread.sleep(5);
        }
        try {
            fixture.stub.getNodeInfo(GetNodeInfoRequest.getDefaultInstance());
            throw new AssertionError("GetNodeInfo answered while libvirtd was dead");
        } catch (StatusRuntimeException expected) {
            assertEquals(Status.Code.UNAVAILABLE, expected.getStatus().getCode(), expected.getMessage());
        }
    }
}
