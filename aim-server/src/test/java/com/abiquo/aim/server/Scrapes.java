package com.abiquo.aim.server;

import com.abiquo.aim.testing.Waits;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;

/** Reads AIM's /metrics as Prometheus does, and checks it with the real promtool (Debian's prometheus package). */
final class Scrapes {
    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    private Scrapes() {
    }

    static HttpResponse<String> get(int port, String accept) throws IOException, InterruptedException {
        HttpRequest request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/metrics"))
                .header("Accept", accept).timeout(Duration.ofSeconds(10)).GET().build();
        return HTTP.send(request, HttpResponse.BodyHandlers.ofString());
    }

    /** The Prometheus text format, as Prometheus 2.x asks for it without OpenMetrics. */
    static String text(int port) throws IOException, InterruptedException {
        HttpResponse<String> response = get(port, "text/plain;version=0.0.4");
        if (response.statusCode() != 200) {
            throw new IOException("/metrics answered " + response.statusCode() + ": " + response.body());
        }
        return response.body();
    }

    /** Scrapes until a scrape passes the check (a bounded wait for the collector's next round); the last scrape. */
    static String until(int port, Predicate<String> check, Duration timeout, String what) {
        return Waits.awaitValue("a scrape with " + what, timeout, Duration.ofMillis(100), () -> text(port), check);
    }

    /** The names of the samples (series) of a text-format scrape: {@code foo_total}, {@code bar_bucket}, ... */
    static Set<String> sampleNames(String scrape) {
        Set<String> names = new TreeSet<>();
        for (String line : scrape.split("\n")) {
            if (line.isEmpty() || line.startsWith("#")) {
                continue;
            }
            int end = line.indexOf('{');
            names.add(line.substring(0, end >= 0 ? end : line.indexOf(' ')));
        }
        return names;
    }

    /** {@code promtool check metrics < scrape}: exit status and what it said (lint problems). */
    static Tools.Result promtoolCheck(String scrape, Path folder) throws IOException, InterruptedException {
        Path input = Files.createTempFile(folder, "scrape-", ".txt");
        Files.writeString(input, scrape);
        Process process;
        try {
            process = new ProcessBuilder("promtool", "check", "metrics").redirectInput(input.toFile())
                    .redirectErrorStream(true).start();
        } catch (IOException missing) {
            throw new AssertionError("promtool is missing: run scripts/setup (setup.d/60-prometheus.sh installs"
                    + " Debian's prometheus package)", missing);
        }
        byte[] output = process.getInputStream().readAllBytes();
        if (!process.waitFor(60, TimeUnit.SECONDS)) {
            process.destroyForcibly();
            throw new IOException("promtool timed out");
        }
        return new Tools.Result(process.exitValue(), new String(output, StandardCharsets.UTF_8));
    }
}
