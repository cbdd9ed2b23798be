package com.abiquo.aim.rimp.grpc;

import com.abiquo.aim.core.error.AimException;
import com.abiquo.aim.rimp.RimpErrorReason;
import io.grpc.Status;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * At most [rimp] maxConcurrentCopies image copies on this node at once, queued ones included: each would otherwise
 * hold a thread, a temporary file and disk bandwidth, and a client could queue without end. One copy more is
 * refused at once with RESOURCE_EXHAUSTED (COPY_LIMIT_REACHED) saying how many run; the client retries later.
 */
final class CopySlots {
    private final int limit;
    private final AtomicInteger taken = new AtomicInteger();

    CopySlots(int limit) {
        if (limit < 1) {
            throw new IllegalArgumentException("limit must be at least 1, not " + limit);
        }
        this.limit = limit;
    }

    /** Takes a slot; {@link #release()} gives it back once the copy ended (or never started). */
    void take() throws AimException {
        while (true) {
            int now = taken.get();
            if (now >= limit) {
                throw new AimException(Status.Code.RESOURCE_EXHAUSTED, RimpErrorReason.COPY_LIMIT_REACHED, now
                        + " copies are running or queued on this node, as many as [rimp] maxConcurrentCopies allows ("
                        + limit + "); retry when one has ended",
                        Map.of("running", String.valueOf(now), "limit", String.valueOf(limit)), null);
            }
            if (taken.compareAndSet(now, now + 1)) {
                return;
            }
        }
    }

    void release() {
        taken.decrementAndGet();
    }
}
