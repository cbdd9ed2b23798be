package com.abiquo.aim.client;

import static java.util.Objects.requireNonNull;

import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * A copy running on the agent (deploy, snapshot, upload): its result, and a way to cancel it (the agent stops the
 * copy and leaves nothing behind: CANCELLED).
 */
public final class CopyOperation<T> {
    private final CompletableFuture<T> result;
    private final Runnable cancel;

    CopyOperation(CompletableFuture<T> result, Runnable cancel) {
        this.result = requireNonNull(result, "result is null");
        this.cancel = requireNonNull(cancel, "cancel is null");
    }

    /** Completes with the agent's answer, or exceptionally with an {@link AimClientException}. */
    public CompletableFuture<T> result() {
        return result;
    }

    public void cancel() {
        cancel.run();
    }

    /** Waits for the result; a failure comes out as the {@link AimClientException} it is. */
    public T await(Duration timeout) throws InterruptedException, TimeoutException {
        try {
            return result.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (ExecutionException failed) {
            throw AimClientException.from(failed.getCause());
        }
    }
}
