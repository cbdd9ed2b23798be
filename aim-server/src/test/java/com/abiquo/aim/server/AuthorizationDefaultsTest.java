package com.abiquo.aim.server;

import com.abiquo.aim.testing.TestCa;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.abiquo.aim.v1.DomainRef;
import com.abiquo.aim.v1.LibvirtServiceGrpc;
import com.abiquo.aim.v1.PauseDomainRequest;
import io.grpc.ManagedChannel;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * [authorization]'s defaults: without the section every client of the CA is an operator and AIM warns so at start;
 * the section without mutual TLS stops AIM at the configuration check, naming what is missing.
 */
class AuthorizationDefaultsTest {
    private static final String WARNING = "no [authorization] section: every client with a certificate of [server] "
            + "tlsClientCa is an operator";

    @TempDir
    Path folder;

    @Test
    void withoutTheSectionEveryClientOperatesAndTheStartUpLogSaysSo() throws Exception {
        TestCa ca = TestCa.create(folder.resolve("ca"), "Defaults");
        TestCa.Issued anyone = ca.client("anyone", "/CN=anyone", "DNS:anyone.example.com", 2);
        try (LogCapture log = new LogCapture();
                SecuredServer server = SecuredServer.start(folder.resolve("open"), ca, "")) {
            assertTrue(log.text().contains(WARNING), log.text());
            ManagedChannel channel = server.channel(anyone);
            try {
                // an operator's method: judged by libvirt (no such domain), not refused by a role
                StatusRuntimeException judged = assertThrows(StatusRuntimeException.class, () -> LibvirtServiceGrpc
                        .newBlockingStub(channel).withDeadlineAfter(30, TimeUnit.SECONDS)
                        .pauseDomain(PauseDomainRequest.newBuilder()
                                .setDomain(DomainRef.newBuilder().setName("absent-domain")).build()));
                assertEquals(Status.Code.NOT_FOUND, judged.getStatus().getCode(), judged.toString());
            } finally {
                SecuredServer.close(channel);
            }
        }
        try (LogCapture log = new LogCapture();
                SecuredServer server = SecuredServer.start(folder.resolve("roles"), ca, "operators = CN=x\n")) {
            assertFalse(log.text().contains(WARNING), "warned although roles are set:\n" + log.text());
        }
    }

    @Test
    void theSectionWithoutClientCertificatesIsRefusedByTheConfigurationCheck() throws Exception {
        Path file = SafeConfig.write(folder, "");
        Files.writeString(file, Files.readString(file) + "\n[authorization]\nreaders = *.monitor.example.com\n");
        OriginalAimConfigTest.Outcome outcome = OriginalAimConfigTest.run("-c", file.toString(), "--check-config");
        assertEquals(1, outcome.status(), outcome.log());
        assertTrue(outcome.log().contains(file + ": [authorization] needs mutual TLS: roles are given by client "
                + "certificates, so set [server] tlsCertificate, tlsKey and tlsClientCa"), outcome.log());
        assertFalse(outcome.log().contains("\tat "), "a configuration problem is no crash:\n" + outcome.log());
    }
}
