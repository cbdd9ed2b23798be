package com.abiquo.aim.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.abiquo.aim.core.config.AimSettings;
import com.abiquo.aim.v1.GetAgentInfoRequest;
import com.abiquo.aim.v1.NodeServiceGrpc;
import io.grpc.ChannelCredentials;
import io.grpc.Grpc;
import io.grpc.InsecureChannelCredentials;
import io.grpc.ManagedChannel;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.TlsChannelCredentials;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** TLS and mutual TLS with certificates made by openssl for this test, checked by grpc-java and buf curl. */
class TlsTest {
    @TempDir
    static Path folder;

    private static Pki pki;
    private static Pki stranger;

    private AimServer server;

    @BeforeAll
    static void certificates() throws Exception {
        pki = Pki.create(folder.resolve("pki"), "AIM test");
        stranger = Pki.create(folder.resolve("stranger"), "Stranger");
    }

    @AfterEach
    void stop() {
        if (server != null) {
            server.stop();
        }
    }

    private int start(boolean mutual) throws Exception {
        ServerSettings settings = new ServerSettings("127.0.0.1", 0, Optional.of(pki.serverCert),
                Optional.of(pki.serverKey), mutual ? Optional.of(pki.ca) : Optional.empty(), 2, true);
        server = new AimServer(settings, AimSettings.empty(), folder, List.of(), 2, BuildInfo.load());
        server.start();
        return server.port();
    }

    static String agentVersion(int port, ChannelCredentials credentials) throws Exception {
        ManagedChannel channel = Grpc.newChannelBuilderForAddress("localhost", port, credentials).build();
        try {
            return NodeServiceGrpc.newBlockingStub(channel).withDeadlineAfter(10, TimeUnit.SECONDS)
                    .getAgentInfo(GetAgentInfoRequest.getDefaultInstance()).getVersion();
        } finally {
            channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
        }
    }

    private static void assertRefused(int port, ChannelCredentials credentials) {
        StatusRuntimeException refused = assertThrows(StatusRuntimeException.class,
                () -> agentVersion(port, credentials));
        assertEquals(Status.Code.UNAVAILABLE, refused.getStatus().getCode(), refused.toString());
    }

    @Test
    void tlsServesClientsThatTrustTheNodeCertificate() throws Exception {
        int port = start(false);
        assertEquals(BuildInfo.load().version(),
                agentVersion(port, TlsChannelCredentials.newBuilder().trustManager(pki.ca.toFile()).build()));
        assertRefused(port, InsecureChannelCredentials.create());
        assertRefused(port, TlsChannelCredentials.newBuilder().trustManager(stranger.ca.toFile()).build());
    }

    @Test
    void mutualTlsRequiresAClientCertificateSignedByTheClientCa() throws Exception {
        int port = start(true);
        assertEquals(BuildInfo.load().version(), agentVersion(port, TlsChannelCredentials.newBuilder()
                .trustManager(pki.ca.toFile())
                .keyManager(pki.clientCert.toFile(), pki.clientKey.toFile())
                .build()));
        // without a certificate the handshake succeeds (certificates are asked for, not required, so that the client
        // hears why) but no call is served
        StatusRuntimeException anonymous = assertThrows(StatusRuntimeException.class, () -> agentVersion(port,
                TlsChannelCredentials.newBuilder().trustManager(pki.ca.toFile()).build()));
        assertEquals(Status.Code.UNAUTHENTICATED, anonymous.getStatus().getCode(), anonymous.toString());
        StatusRuntimeException foreign = assertThrows(StatusRuntimeException.class, () -> agentVersion(port,
                TlsChannelCredentials.newBuilder().trustManager(pki.ca.toFile())
                        .keyManager(stranger.clientCert.toFile(), stranger.clientKey.toFile()).build()));
        assertTrue(foreign.getStatus().getCode() == Status.Code.UNAVAILABLE
                || foreign.getStatus().getCode() == Status.Code.UNAUTHENTICATED, foreign.toString());
    }

    @Test
    void bufCurlListsServicesOverMutualTlsOnlyWithItsCertificate() throws Exception {
        int port = start(true);
        String url = "https://localhost:" + port;
        Tools.Result withCertificate = Tools.buf("curl", "--protocol", "grpc", "--cacert", pki.ca.toString(),
                "--cert", pki.clientCert.toString(), "--key", pki.clientKey.toString(), "--list-services", url);
        assertEquals(0, withCertificate.exitCode(), withCertificate.output());
        assertTrue(withCertificate.output().contains("abiquo.aim.v1.NodeService"), withCertificate.output());
        Tools.Result without = Tools.buf("curl", "--protocol", "grpc", "--cacert", pki.ca.toString(),
                "--list-services", url);
        assertTrue(without.exitCode() != 0, "a client without a certificate was served: " + without.output());
    }

    @Test
    void tlsWithoutClientCertificatesBeyondLoopbackIsALoudWarning() throws Exception {
        for (String address : new String[] {"127.0.0.1", "0.0.0.0"}) {
            for (boolean mutual : new boolean[] {false, true}) {
                ServerSettings settings = new ServerSettings(address, 0, Optional.of(pki.serverCert),
                        Optional.of(pki.serverKey), mutual ? Optional.of(pki.ca) : Optional.empty(), 2, true);
                try (LogCapture log = new LogCapture()) {
                    AimServer tls = new AimServer(settings, AimSettings.empty(), folder, List.of(), 2,
                            BuildInfo.load());
                    tls.start();
                    tls.stop();
                    boolean warned = log.text().contains("WITHOUT CLIENT CERTIFICATES");
                    // any TLS client may connect and drive the node: only mutual TLS or loopback is quiet
                    assertEquals(!mutual && !"127.0.0.1".equals(address), warned, address + ", mutual " + mutual
                            + ":\n" + log.text());
                }
            }
        }
    }
}
