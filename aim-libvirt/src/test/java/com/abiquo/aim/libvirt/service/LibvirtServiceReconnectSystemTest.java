package com.abiquo.aim.libvirt.service;

import static com.abiquo.aim.libvirt.service.LibvirtGrpcServiceTest.assertCode;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.abiquo.aim.libvirt.connection.ConnectionSettings;
import com.abiquo.aim.libvirt.connection.LibvirtConnection;
import com.abiquo.aim.testing.PrivateLibvirtd;
import com.abiquo.aim.testing.Waits;
import com.abiquo.aim.v1.DomainRef;
import com.abiquo.aim.v1.GetDomainStateRequest;
import com.abiquo.aim.v1.GetNodeInfoRequest;
import com.abiquo.aim.v1.ListDomainsRequest;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import java.time.Duration;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/** Through the gRPC service: libvirtd dies, calls answer UNAVAILABLE, libvirtd returns, calls work again. */
@Tag("system")
class LibvirtServiceReconnectSystemTest {
    @Test
    void theServiceAnswersUnavailableWhileLibvirtdIsAwayAndServesWhenItIsBack() throws Exception {
        try (PrivateLibvirtd daemon = new PrivateLibvirtd("aimtest-lv-svc-reconnect")) {
            daemon.start();
            // Reconnect backoff at most 1 s (as in ReconnectSystemTest): with the default 30 s, the attempts made
            // while libvirtd was away could put the next one beyond the wait below.
            ConnectionSettings defaults = ConnectionSettings.of(daemon.testUri());
            ConnectionSettings settings = new ConnectionSettings(defaults.uri(), defaults.keepAliveIntervalSeconds(),
                    defaults.keepAliveCount(), Duration.ofSeconds(1));
            try (LibvirtServiceFixture fixture = new LibvirtServiceFixture(settings)) {
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
                // connected() turns true just before health is told: wait for both
                Waits.await("connected and SERVING again", Duration.ofSeconds(10),
                        () -> fixture.connection.connected() && serving(fixture));
                assertEquals("SERVING", fixture.health.status(LibvirtConnection.SERVICE_NAME));
                assertTrue(fixture.stub.listDomains(ListDomainsRequest.getDefaultInstance()).getDomainsList()
                        .stream().anyMatch(domain -> domain.getName().equals("test")));
            }
        }
    }

    private static boolean serving(LibvirtServiceFixture fixture) {
        return fixture.health.status(LibvirtConnection.SERVICE_NAME).equals("SERVING");
    }

    /**
     * The close callback may take a few milliseconds; until then a call may see the dying connection. It clears the
     * connection just before it tells health: wait for both.
     */
    private static void awaitUnavailable(LibvirtServiceFixture fixture) {
        Waits.await("disconnected and NOT_SERVING", Duration.ofSeconds(60),   // ends as soon as both hold
                () -> !fixture.connection.connected() && !serving(fixture));
        try {
            fixture.stub.getNodeInfo(GetNodeInfoRequest.getDefaultInstance());
            throw new AssertionError("GetNodeInfo answered while libvirtd was dead");
        } catch (StatusRuntimeException expected) {
            assertEquals(Status.Code.UNAVAILABLE, expected.getStatus().getCode(), expected.getMessage());
        }
    }
}
