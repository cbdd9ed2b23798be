package com.abiquo.aim.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.abiquo.aim.server.metrics.MetricsEndpoint;
import io.prometheus.metrics.core.metrics.Counter;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.security.cert.CertificateFactory;
import java.util.Optional;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The /metrics endpoint itself: [metrics] tls = true serves HTTPS with the gRPC server's own PEM certificate and
 * key (PKCS#8, or PKCS#1 as older openssl writes it, as the gRPC server accepts); a port in use is an error that
 * names it.
 */
class MetricsEndpointServerTest {
    @TempDir
    Path folder;

    @Test
    void scrapeOverHttpsWithTheServersCertificate() throws Exception {
        Pki pki = Pki.create(folder.resolve("pki"), "metrics");
        PrometheusRegistry registry = new PrometheusRegistry();
        Counter.builder().name("aim_probe").help("a probe").register(registry).inc();
        try (MetricsEndpoint endpoint = MetricsEndpoint.start("127.0.0.1", 0, registry,
                Optional.of(new MetricsEndpoint.Certificate(pki.serverCert, pki.serverKey)))) {
            assertEquals("https", endpoint.scheme());
            HttpClient trusting = HttpClient.newBuilder().sslContext(trusting(pki.ca)).build();
            URI uri = URI.create("https://localhost:" + endpoint.port() + "/metrics");
            HttpResponse<String> response = trusting.send(HttpRequest.newBuilder(uri).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertEquals(200, response.statusCode());
            assertTrue(response.body().contains("aim_probe_total 1.0"), response.body());
            // a client that does not trust the node's CA gets no answer
            assertThrows(IOException.class, () -> HttpClient.newHttpClient().send(HttpRequest.newBuilder(uri).build(),
                    HttpResponse.BodyHandlers.ofString()));
        }
    }

    @Test
    void aPkcs1KeyServesAsItDoesForTheGrpcServer() throws Exception {
        Pki pki = Pki.create(folder.resolve("pki1"), "metrics");
        Path pkcs1 = folder.resolve("pki1/server-pkcs1.key");
        Pki.openssl(folder.resolve("pki1"), "rsa", "-in", pki.serverKey.toString(), "-traditional", "-out",
                pkcs1.toString());
        assertTrue(Files.readString(pkcs1).contains("BEGIN RSA PRIVATE KEY"));
        try (MetricsEndpoint endpoint = MetricsEndpoint.start("127.0.0.1", 0, new PrometheusRegistry(),
                Optional.of(new MetricsEndpoint.Certificate(pki.serverCert, pkcs1)))) {
            HttpResponse<String> response = HttpClient.newBuilder().sslContext(trusting(pki.ca)).build().send(
                    HttpRequest.newBuilder(URI.create("https://localhost:" + endpoint.port() + "/metrics")).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertEquals(200, response.statusCode());
        }
    }

    @Test
    void aPortInUseIsNamed() throws Exception {
        try (ServerSocket taken = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            IOException refused = assertThrows(IOException.class, () -> MetricsEndpoint.start("127.0.0.1",
                    taken.getLocalPort(), new PrometheusRegistry(), Optional.empty()));
            assertTrue(refused.getMessage().contains("/metrics on 127.0.0.1:" + taken.getLocalPort()),
                    refused.getMessage());
        }
    }

    private static SSLContext trusting(Path caFile) throws Exception {
        KeyStore store = KeyStore.getInstance("PKCS12");
        store.load(null, null);
        try (InputStream in = Files.newInputStream(caFile)) {
            store.setCertificateEntry("ca", CertificateFactory.getInstance("X.509").generateCertificate(in));
        }
        TrustManagerFactory trust = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        trust.init(store);
        SSLContext context = SSLContext.getInstance("TLS");
        context.init(null, trust.getTrustManagers(), null);
        return context;
    }
}
