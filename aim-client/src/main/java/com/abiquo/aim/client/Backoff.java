package com.abiquo.aim.client;

import java.time.Duration;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Exponential backoff with jitter: the n-th consecutive retry waits a random time between half and all of
 * min(max, initial x 2^n), so clients cut off together do not come back together.
 */
final class Backoff {
    private final Duration initial;
    private final Duration max;
    private int attempts;

    Backoff(Duration initial, Duration max) {
        if (initial.isNegative() || initial.isZero() || max.compareTo(initial) < 0) {
            throw new IllegalArgumentException("backoff needs 0 < initial <= max, got " + initial + " and " + max);
        }
        this.initial = initial;
        this.max = max;
    }

    Duration next() {
        long ceiling = max.toMillis();
        long base = initial.toMillis() << Math.min(attempts, 20);
        attempts++;
        long bound = Math.min(ceiling, Math.max(1, base));
        return Duration.ofMillis(bound / 2 + ThreadLocalRandom.current().nextLong(bound / 2 + 1));
    }

    void reset() {
        attempts = 0;
    }
}
