package com.abiquo.aim.server.metrics;

import com.sun.net.httpserver.HttpsConfigurator;
import io.prometheus.metrics.exporter.httpserver.HTTPServer;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Optional;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The HTTP(S) server Prometheus scrapes: {@code /metrics} in the Prometheus text format or OpenMetrics (by the
 * scraper's Accept header), written by the Prometheus Java client's exporter. Two daemon threads of its own, so a
 * scrape never waits for gRPC calls nor they for it.
 */
public final class MetricsEndpoint implements AutoCloseable {
    /** The PEM files of [server]: a certificate chain and its unencrypted key. */
    public record Certificate(Path chain, Path key) {
    }

    private final HTTPServer server;
    private final ExecutorService threads;
    private final boolean tls;

    private MetricsEndpoint(HTTPServer server, ExecutorService threads, boolean tls) {
        this.server = server;
        this.threads = threads;
        this.tls = tls;
    }

    /** @param certificate what to serve HTTPS with, or empty for HTTP */
    public static MetricsEndpoint start(String address, int port, PrometheusRegistry registry,
                                        Optional<Certificate> certificate) throws IOException {
        AtomicInteger counter = new AtomicInteger();
        ExecutorService threads = Executors.newFixedThreadPool(2, runnable -> {
            Thread thread = new Thread(runnable, "aim-metrics-" + counter.incrementAndGet());
            thread.setDaemon(true);
            return thread;
        });
        try {
            HTTPServer.Builder builder = HTTPServer.builder().hostname(address).port(port).registry(registry)
                    .executorService(threads);
            if (certificate.isPresent()) {
                builder.httpsConfigurator(new HttpsConfigurator(
                        PemTls.serverContext(certificate.get().chain(), certificate.get().key())));
            }
            return new MetricsEndpoint(listen(builder, address, port), threads, certificate.isPresent());
        } catch (IOException | RuntimeException failure) {
            threads.shutdownNow();
            throw failure;
        }
    }

    /** A port in use says which one: the JDK's BindException names none. */
    private static HTTPServer listen(HTTPServer.Builder builder, String address, int port) throws IOException {
        try {
            return builder.buildAndStart();
        } catch (IOException failure) {
            throw new IOException("cannot serve /metrics on " + address + ":" + port + " ([metrics] address, port): "
                    + failure.getMessage(), failure);
        }
    }

    public int port() {
        return server.getPort();
    }

    public String scheme() {
        return tls ? "https" : "http";
    }

    @Override
    public void close() {
        server.close();
        threads.shutdownNow();
    }
}
