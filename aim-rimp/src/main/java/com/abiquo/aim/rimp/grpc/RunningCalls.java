package com.abiquo.aim.rimp.grpc;

import com.abiquo.aim.core.error.AimException;
import com.abiquo.aim.core.error.CoreErrorReason;
import io.grpc.Status;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Consumer;

/**
 * Copies and uploads under way, so that shutdown can stop them (their temporaries removed) and end their streams
 * with UNAVAILABLE.
 */
public final class RunningCalls {
    private final Set<Consumer<AimException>> stoppers = ConcurrentHashMap.newKeySet();
    private volatile boolean stopping;

    /** Registers how to stop a call; fails with UNAVAILABLE once shutdown began. */
    public void register(Consumer<AimException> stopper) throws AimException {
        if (stopping) {
            throw shuttingDown();
        }
        stoppers.add(stopper);
    }

    public void unregister(Consumer<AimException> stopper) {
        stoppers.remove(stopper);
    }

    public boolean isEmpty() {
        return stoppers.isEmpty();
    }

    /** Stops every call and waits (at most timeoutMillis) until they have cleaned up. */
    public void stopAll(long timeoutMillis) {
        stopping = true;
        stoppers.forEach(stopper -> stopper.accept(shuttingDown()));
        long deadline = System.currentTimeMillis() + timeoutMillis;
        while (!stoppers.isEmpty() && System.currentTimeMillis() < deadline) {
            try {
                Thread.sleep(20);
            } catch (InterruptedException interrupted) {
                Thread.currentThread().interrupt();
                return;
            }
        }
    }

    static AimException shuttingDown() {
        return new AimException(Status.Code.UNAVAILABLE, CoreErrorReason.AGENT_STOPPING,
                "the agent is shutting down; the operation was stopped and its temporary removed", Map.of(), null);
    }
}
