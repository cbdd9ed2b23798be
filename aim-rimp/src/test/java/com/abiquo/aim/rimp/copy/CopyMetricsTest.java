package com.abiquo.aim.rimp.copy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import com.abiquo.aim.core.error.AimException;
import com.abiquo.aim.rimp.TestFiles;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import io.prometheus.metrics.model.snapshots.CounterSnapshot;
import io.prometheus.metrics.model.snapshots.GaugeSnapshot;
import io.prometheus.metrics.model.snapshots.HistogramSnapshot;
import io.prometheus.metrics.model.snapshots.MetricSnapshot;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The copier's families after real copies on the work disk: bytes by method, durations, failures, none running. */
class CopyMetricsTest {
    @TempDir
    Path folder;

    private final ImageCopier copier = new ImageCopier(new Temporaries("test-host"));
    private final PrometheusRegistry registry = new PrometheusRegistry();

    @Test
    void aCopyAndAFailureAreCounted() throws Exception {
        copier.metrics().registerIn(registry);
        Path source = TestFiles.dense(folder.resolve("disk.raw"), (1 << 20) + 7, 1);
        CopyOutcome outcome = copier.copy(source, folder.resolve("copy.raw"), ImageCopier.Options.noReplace(false),
                CopyControl.none());
        assertThrows(AimException.class, () -> copier.copy(folder.resolve("missing.raw"), folder.resolve("x.raw"),
                ImageCopier.Options.noReplace(false), CopyControl.none()));

        String method = CopyMetrics.label(outcome.method());
        CounterSnapshot bytes = (CounterSnapshot) family("aim_rimp_copied_bytes");
        assertEquals((double) Files.size(source), bytes.getDataPoints().stream()
                .filter(point -> point.getLabels().get("method").equals(method)).findFirst().orElseThrow()
                .getValue(), "the copied bytes under " + method);
        assertEquals(1, ((HistogramSnapshot) family("aim_rimp_copy_duration_seconds")).getDataPoints().get(0)
                .getCount());
        assertEquals(1.0, ((CounterSnapshot) family("aim_rimp_copies_failed")).getDataPoints().get(0).getValue());
        assertEquals(0.0, ((GaugeSnapshot) family("aim_rimp_copies_running")).getDataPoints().get(0).getValue());
    }

    private MetricSnapshot family(String name) {
        return registry.scrape().stream().filter(family -> family.getMetadata().getName().equals(name)).findFirst()
                .orElseThrow(() -> new AssertionError(name + " is not registered"));
    }
}
