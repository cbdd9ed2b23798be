package com.abiquo.aim.dist.bench;

import java.util.List;

/** Minimum, median and maximum of a few samples; percentiles of many. */
final class Stats {
    private Stats() {
    }

    static String of(List<Long> samples) {
        long[] sorted = samples.stream().mapToLong(Long::longValue).sorted().toArray();
        return String.format("min %d, median %d, max %d (%d starts)", sorted[0], sorted[sorted.length / 2],
                sorted[sorted.length - 1], sorted.length);
    }

    static double percentile(long[] sorted, int percent) {
        if (sorted.length == 0) {
            return 0;
        }
        int index = (int) Math.ceil(percent / 100.0 * sorted.length) - 1;
        return sorted[Math.max(0, Math.min(sorted.length - 1, index))];
    }
}
