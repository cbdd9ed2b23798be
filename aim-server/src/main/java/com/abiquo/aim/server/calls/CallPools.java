package com.abiquo.aim.server.calls;

import java.util.EnumMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * One {@link CallPool} per {@link CallClass}, sized from {@code -t/--threads} (the original's "request threads"):
 * <ul>
 *   <li>actions: {@code -t} threads, at most 100 more calls waiting;</li>
 *   <li>reads: {@code 2 x -t} threads (at least 4), at most 1,000 waiting: a read holds a thread only while libvirt
 *       answers, so more threads hide libvirt's round trip;</li>
 *   <li>copies: {@code -t} threads, at most 20 waiting (a copy call holds its place for the whole copy).</li>
 * </ul>
 * Health, reflection and NodeService run on none of these (see {@link CallRouter}).
 */
public final class CallPools {
    static final int ACTIONS_QUEUED = 100;
    static final int READS_QUEUED = 1_000;
    static final int COPIES_QUEUED = 20;

    private final Map<CallClass, CallPool> pools = new EnumMap<>(CallClass.class);

    public CallPools(int requestThreads) {
        if (requestThreads < 1) {
            throw new IllegalArgumentException("requestThreads must be at least 1, not " + requestThreads);
        }
        pools.put(CallClass.ACTION, new CallPool(CallClass.ACTION, requestThreads, ACTIONS_QUEUED));
        pools.put(CallClass.READ, new CallPool(CallClass.READ, Math.max(4, 2 * requestThreads), READS_QUEUED));
        pools.put(CallClass.COPY, new CallPool(CallClass.COPY, requestThreads, COPIES_QUEUED));
    }

    public CallPool pool(CallClass callClass) {
        return pools.get(callClass);
    }

    /** One line for the start-up log: how many threads and places each class has. */
    public String describe() {
        StringBuilder text = new StringBuilder();
        for (CallPool pool : pools.values()) {
            if (text.length() > 0) {
                text.append(", ");
            }
            text.append(pool.callClass().name().toLowerCase()).append("s ").append(pool.threads())
                    .append(" threads (").append(pool.maxInFlight()).append(" calls at most)");
        }
        return text.toString();
    }

    /** Stops every pool, giving running calls up to the given time each. */
    public void shutdown(long timeout, TimeUnit unit) {
        pools.values().forEach(pool -> pool.shutdown(timeout, unit));
    }
}
