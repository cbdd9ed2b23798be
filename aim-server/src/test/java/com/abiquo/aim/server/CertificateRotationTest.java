package com.abiquo.aim.server;

import com.abiquo.aim.testing.TestCa;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.abiquo.aim.core.config.AimSettingsReader;
import com.abiquo.aim.v1.DomainRef;
import com.abiquo.aim.v1.EventFilter;
import com.abiquo.aim.v1.EventsMonitorServiceGrpc;
import com.abiquo.aim.v1.GetAgentInfoRequest;
import com.abiquo.aim.v1.LibvirtServiceGrpc;
import com.abiquo.aim.v1.NodeServiceGrpc;
import com.abiquo.aim.v1.PowerOffDomainRequest;
import com.abiquo.aim.v1.PowerOnDomainRequest;
import com.abiquo.aim.v1.SubscribeRequest;
import com.abiquo.aim.v1.SubscribeResponse;
import io.grpc.Context;
import io.grpc.ManagedChannel;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Iterator;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Certificates rotated while AIM runs: the node's certificate and key and the client CA are replaced on disk and
 * reloaded (what SIGHUP does). An event stream opened before keeps receiving; new handshakes present the new
 * certificate and accept only clients of the new CA; a file that does not load keeps the previous one in force.
 */
class CertificateRotationTest {
    @TempDir
    Path folder;

    @Test
    void anOpenSubscribeKeepsReceivingWhileNewHandshakesUseTheNewFiles() throws Exception {
        TestCa oldCa = TestCa.create(folder.resolve("old"), "Old");
        TestCa newCa = TestCa.create(folder.resolve("new"), "New");
        TestCa.Issued oldController = oldCa.client("controller", "/CN=ctl", "URI:spiffe://abiquo/controller", 2);
        TestCa.Issued newController = newCa.client("controller", "/CN=ctl", "URI:spiffe://abiquo/controller", 2);
        TestCa.Issued newNode = newCa.server("node");
        try (SecuredServer server = SecuredServer.start(folder, oldCa, "operators = spiffe://abiquo/*\n")) {
            Path certificate = folder.resolve("old/node.crt");
            ManagedChannel before = server.channel(oldController);
            Context.CancellableContext stream = Context.current().withCancellation();
            try {
                Iterator<SubscribeResponse> events = stream.call(() -> EventsMonitorServiceGrpc
                        .newBlockingStub(before).withDeadlineAfter(90, TimeUnit.SECONDS).subscribe(SubscribeRequest.newBuilder()
                                .setFilter(EventFilter.newBuilder().setAllDomains(true)).build()));
                assertTrue(events.next().hasStarted());

                // rotate: the node's certificate and key, and the client CA, replaced on disk as an operator would
                Path liveCa = server.ca.certificate();
                replace(newNode.certificate(), certificate);
                replace(newNode.key(), folder.resolve("old/node.key"));
                replace(newCa.certificate(), liveCa);
                assertEquals(List.of(), server.server.reloadSecurity(AimSettingsReader.read(server.config)));

                // a new client of the new CA that trusts only the new CA: it sees the new node certificate
                ManagedChannel after = server.channel(TlsClients.presenting(newController, newCa));
                try {
                    NodeServiceGrpc.newBlockingStub(after).withDeadlineAfter(10, TimeUnit.SECONDS)
                            .getAgentInfo(GetAgentInfoRequest.getDefaultInstance());
                    // the open stream of the old connection still gets the events of a power action made now
                    LibvirtServiceGrpc.LibvirtServiceBlockingStub libvirt = LibvirtServiceGrpc.newBlockingStub(after)
                            .withDeadlineAfter(30, TimeUnit.SECONDS);
                    DomainRef test = DomainRef.newBuilder().setName("test").build();
                    libvirt.powerOffDomain(PowerOffDomainRequest.newBuilder().setDomain(test).build());
                    libvirt.powerOnDomain(PowerOnDomainRequest.newBuilder().setDomain(test).build());
                    assertEquals("test", nextEvent(events).getEvent().getDomainName());
                } finally {
                    SecuredServer.close(after);
                }

                // the old client certificate no longer gets a connection
                ManagedChannel old = server.channel(oldController);
                try {
                    StatusRuntimeException refused = org.junit.jupiter.api.Assertions.assertThrows(
                            StatusRuntimeException.class, () -> NodeServiceGrpc.newBlockingStub(old)
                                    .withDeadlineAfter(10, TimeUnit.SECONDS)
                                    .getAgentInfo(GetAgentInfoRequest.getDefaultInstance()));
                    assertTrue(refused.getStatus().getCode() == Status.Code.UNAVAILABLE
                            || refused.getStatus().getCode() == Status.Code.UNAUTHENTICATED, refused.toString());
                } finally {
                    SecuredServer.close(old);
                }

                // a broken certificate file: named in the failure, and the new certificate stays in use
                Files.writeString(certificate, "-----BEGIN CERTIFICATE-----\nnot base64\n-----END CERTIFICATE-----\n");
                List<String> failures = server.server.reloadSecurity(AimSettingsReader.read(server.config));
                assertEquals(1, failures.size(), failures.toString());
                assertTrue(failures.get(0).contains(certificate.toString()), failures.get(0));
                ManagedChannel still = server.channel(TlsClients.presenting(newController, newCa));
                try {
                    NodeServiceGrpc.newBlockingStub(still).withDeadlineAfter(10, TimeUnit.SECONDS)
                            .getAgentInfo(GetAgentInfoRequest.getDefaultInstance());
                } finally {
                    SecuredServer.close(still);
                }

                // a broken client CA: named in the failure, and the new CA still judges clients
                replace(newNode.certificate(), certificate);
                Files.writeString(liveCa, "not a certificate\n");
                List<String> caFailures = server.server.reloadSecurity(AimSettingsReader.read(server.config));
                assertEquals(1, caFailures.size(), caFailures.toString());
                assertTrue(caFailures.get(0).contains(liveCa.toString())
                        && caFailures.get(0).contains("the previous one stays in use"), caFailures.get(0));
                ManagedChannel stillTrusted = server.channel(TlsClients.presenting(newController, newCa));
                try {
                    NodeServiceGrpc.newBlockingStub(stillTrusted).withDeadlineAfter(10, TimeUnit.SECONDS)
                            .getAgentInfo(GetAgentInfoRequest.getDefaultInstance());
                } finally {
                    SecuredServer.close(stillTrusted);
                }
            } finally {
                stream.cancel(null);
                SecuredServer.close(before);
            }
        }
    }

    private static SubscribeResponse nextEvent(Iterator<SubscribeResponse> events) {
        while (events.hasNext()) {
            SubscribeResponse response = events.next();
            if (response.hasEvent()) {
                return response;
            }
        }
        throw new AssertionError("the stream ended without an event");
    }

    /** Through a temporary and a rename, as a careful operator (or certbot) replaces a file. */
    private static void replace(Path source, Path target) throws Exception {
        Path temporary = target.resolveSibling(target.getFileName() + ".new");
        Files.copy(source, temporary, StandardCopyOption.REPLACE_EXISTING);
        Files.move(temporary, target, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    }
}
