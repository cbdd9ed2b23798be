package com.abiquo.aim.eventbus;

import java.time.Duration;
import java.util.concurrent.ThreadLocalRandom;

/** Exponential backoff with jitter between reconnection attempts: 1,000 nodes must not reconnect in step. */
public final class Backoff {
    private final long firstMillis;
    private final long maxMillis;
    private long nextMillis;

    public Backoff(Duration first, Duration max) {
        this.firstMillis = first.toMillis();
        this.maxMillis = max.toMillis();
        this.nextMillis = firstMillis;
    }

    public void reset() {
        nextMillis = firstMillis;
    }

    /** The next wait (half of it random), doubling up to the maximum. */
    public Duration next() {
        long wait = nextMillis / 2 + ThreadLocalRandom.current().nextLong(nextMillis / 2 + 1);
        nextMillis = Math.min(maxMillis, nextMillis * 2);
        return Duration.ofMillis(wait);
    }
}
