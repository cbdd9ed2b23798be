package com.abiquo.aim.server;

import com.abiquo.aim.testing.Ports;
import com.abiquo.aim.testing.Waits;
import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

/**
 * A real Prometheus server (Debian's prometheus binary) of the test's own: loopback, a free port, a temporary
 * config that scrapes one target every second and a temporary data folder. The system service is not involved.
 */
final class PrivatePrometheus implements AutoCloseable {
    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    private final Process process;
    private final int port;
    private final Path log;

    private PrivatePrometheus(Process process, int port, Path log) {
        this.process = process;
        this.port = port;
        this.log = log;
    }

    /** Starts Prometheus scraping {@code 127.0.0.1:targetPort/metrics} and waits until it is ready. */
    static PrivatePrometheus scraping(int targetPort, Path folder) throws Exception {
        Files.createDirectories(folder.resolve("data"));
        Path config = folder.resolve("prometheus.yml");
        Files.writeString(config, """
                global:
                  scrape_interval: 1s
                  evaluation_interval: 1s
                scrape_configs:
                  - job_name: aim
                    static_configs:
                      - targets: ['127.0.0.1:%d']
                """.formatted(targetPort));
        int port = Ports.reusable(); // released here, bound later by another process
        Path log = folder.resolve("prometheus.log");
        Process process = new ProcessBuilder("prometheus", "--config.file=" + config,
                "--storage.tsdb.path=" + folder.resolve("data"), "--web.listen-address=127.0.0.1:" + port)
                .redirectErrorStream(true).redirectOutput(log.toFile()).start();
        PrivatePrometheus prometheus = new PrivatePrometheus(process, port, log);
        try {
            prometheus.awaitReady(Duration.ofSeconds(60));
        } catch (Exception | AssertionError failure) {
            prometheus.close();
            throw failure;
        }
        return prometheus;
    }

    private void awaitReady(Duration timeout) {
        Waits.await("prometheus to be ready", timeout, Duration.ofMillis(200), this::ready,
                () -> "its log:\n" + Files.readString(log));
    }

    private boolean ready() throws Exception {
        if (!process.isAlive()) {
            throw new AssertionError("prometheus ended: " + Files.readString(log));
        }
        try {
            return get("/-/ready").statusCode() == 200;
        } catch (IOException notListeningYet) {
            return false;
        }
    }

    /** An instant PromQL query through the HTTP API; the JSON answer. */
    String query(String promQl) throws IOException, InterruptedException {
        HttpResponse<String> response = get("/api/v1/query?query=" + URLEncoder.encode(promQl, StandardCharsets.UTF_8));
        if (response.statusCode() != 200) {
            throw new IOException("query " + promQl + " answered " + response.statusCode() + ": " + response.body());
        }
        return response.body();
    }

    /** Whether a query's answer holds at least one series (a filter such as {@code > 0} makes that the check). */
    static boolean hasResult(String answer) {
        return answer.contains("\"status\":\"success\"") && answer.contains("\"result\":[{");
    }

    private HttpResponse<String> get(String path) throws IOException, InterruptedException {
        return HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
                .timeout(Duration.ofSeconds(10)).GET().build(), HttpResponse.BodyHandlers.ofString());
    }

    String log() throws IOException {
        return Files.readString(log);
    }

    @Override
    public void close() throws InterruptedException {
        process.destroy();
        if (!process.waitFor(20, TimeUnit.SECONDS)) {
            process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
        }
    }
}
