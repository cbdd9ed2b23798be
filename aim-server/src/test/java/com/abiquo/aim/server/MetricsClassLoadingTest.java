package com.abiquo.aim.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A node without /metrics never loads the OpenTelemetry SDK, grpc-java's OpenTelemetry module nor the JVM's metric
 * collectors (some 500 classes, a few MiB of resident memory on every hypervisor); with /metrics on it does. AIM runs
 * as a real process whose JVM lists every class it loads (-Xlog:class+load), after it listened and answered a call.
 */
class MetricsClassLoadingTest {
    /** Packages of what only /metrics needs; AIM's own families (the Prometheus client's core) are always counted. */
    private static final Pattern METRICS_ONLY = Pattern.compile(
            " (io\\.opentelemetry\\.|io\\.grpc\\.opentelemetry\\.|io\\.prometheus\\.metrics\\.instrumentation\\.jvm\\."
                    + "|io\\.prometheus\\.metrics\\.exporter\\.)\\S+ source:");

    @TempDir
    Path folder;

    @Test
    void withoutMetricsPortTheMetricsOnlyClassesAreNeverLoaded() throws Exception {
        List<String> loaded = classesLoadedBy("");
        assertEquals(List.of(), loaded.stream().filter(line -> METRICS_ONLY.matcher(line).find()).toList());
    }

    @Test
    void withMetricsPortTheyAreLoaded() throws Exception {
        String classes = String.join("\n", classesLoadedBy("\n[metrics]\nport = 0\n"));
        assertTrue(classes.contains(" io.opentelemetry.sdk.OpenTelemetrySdk source:"), "OpenTelemetry SDK not loaded");
        assertTrue(classes.contains(" io.grpc.opentelemetry.GrpcOpenTelemetry source:"), "grpc-opentelemetry");
        assertTrue(classes.contains(" io.prometheus.metrics.instrumentation.jvm.JvmMetrics source:"), "JvmMetrics");
    }

    /** The -Xlog:class+load lines of AIM started with the given extra configuration, once it answered a call. */
    private List<String> classesLoadedBy(String extraConfig) throws Exception {
        Path config = SafeConfig.write(Files.createTempDirectory(folder, "conf"), extraConfig);
        Path classLog = folder.resolve("classes-" + System.nanoTime() + ".log");
        try (AimJvm aim = AimJvm.start(config, "-Xlog:class+load=info:file=" + classLog)) {
            aim.assertAnswers();
            aim.stopCleanly();
            return Files.readAllLines(classLog);
        }
    }
}
