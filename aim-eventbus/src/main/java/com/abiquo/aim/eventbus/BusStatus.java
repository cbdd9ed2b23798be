package com.abiquo.aim.eventbus;

import static java.util.Objects.requireNonNull;

import com.abiquo.aim.core.config.UrlCredentials;
import com.abiquo.aim.core.module.HealthReporter;
import java.time.Duration;
import java.util.function.LongSupplier;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.Logger;

/**
 * A publisher's health (grpc.health.v1, its own service name) and its log: SERVING while it publishes, NOT_SERVING
 * with the reason while it cannot. A new reason is logged at once; the same reason again at most every
 * {@code repeatEvery}, with how far behind the journal the publisher is, so an outage of hours logs a few lines.
 */
public final class BusStatus {
    private static final Logger LOG = LogManager.getLogger(BusStatus.class);

    private final String serviceName;
    private final String publisher;
    private final HealthReporter health;
    private final Duration repeatEvery;
    private final LongSupplier nanoClock;
    private String lastReason;
    private long lastLoggedNanos;
    private boolean serving;
    private boolean reported;

    public BusStatus(String serviceName, String publisher, HealthReporter health, Duration repeatEvery,
                     LongSupplier nanoClock) {
        this.serviceName = requireNonNull(serviceName, "serviceName is null");
        this.publisher = UrlCredentials.mask(requireNonNull(publisher, "publisher is null"));
        this.health = requireNonNull(health, "health is null");
        this.repeatEvery = requireNonNull(repeatEvery, "repeatEvery is null");
        this.nanoClock = requireNonNull(nanoClock, "nanoClock is null");
    }

    /** NOT_SERVING until the first connection, without a warning: nothing failed yet. */
    public synchronized void starting(String what) {
        health.notServing(serviceName, UrlCredentials.mask(what));
        reported = true;
    }

    public synchronized void serving() {
        if (!serving || !reported) {
            if (lastReason != null) {
                LOG.info("{} publishes again", publisher);
            }
            health.serving(serviceName);
            serving = true;
            reported = true;
            lastReason = null;
        }
    }

    /** @param behind journal events not yet published (-1: unknown) */
    public synchronized void notServing(String reason, long behind) {
        // reasons quote Redis and Jedis texts, which AIM does not control: no URL's login may pass through
        String why = UrlCredentials.mask(reason);
        String lag = behind < 0 ? "" : "; " + behind + " events behind the journal";
        long now = nanoClock.getAsLong();
        if (!why.equals(lastReason) || now - lastLoggedNanos >= repeatEvery.toNanos()) {
            LOG.warn("{} cannot publish: {}{}", publisher, why, lag);
            lastLoggedNanos = now;
        }
        if (serving || !reported || !why.equals(lastReason)) {
            health.notServing(serviceName, why);
        }
        lastReason = why;
        serving = false;
        reported = true;
    }

    public synchronized boolean isServing() {
        return serving;
    }

    public synchronized String lastReason() {
        return lastReason;
    }
}
