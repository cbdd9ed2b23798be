package com.abiquo.aim.core.error;

import io.grpc.stub.StreamObserver;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;

/**
 * The body of a unary RPC in a thin adapter: run the work, answer once, map any failure to a status.
 * <pre>GrpcCalls.unary(responseObserver, () -> logic.doThing(request));</pre>
 */
public final class GrpcCalls {
    private GrpcCalls() {
    }

    /** Work that produces a response or fails with an {@link AimException}. */
    @FunctionalInterface
    public interface Work<T> {
        T run() throws AimException;
    }

    public static <T> void unary(StreamObserver<T> observer, Work<T> work) {
        T response;
        try {
            response = work.run();
        } catch (Exception failure) {
            observer.onError(GrpcErrors.toStatusException(failure));
            return;
        }
        observer.onNext(response);
        observer.onCompleted();
    }

    /** Work that starts, and answers when its stage completes (on whichever thread completes it). */
    @FunctionalInterface
    public interface LaterWork<T> {
        CompletionStage<T> start() throws AimException;
    }

    /**
     * The body of a unary RPC whose answer may come later: the calling thread is free once the work has started.
     * Failures, whether the work failed to start or its stage failed, are mapped as {@link #unary} maps them.
     */
    public static <T> void unaryLater(StreamObserver<T> observer, LaterWork<T> work) {
        CompletionStage<T> answer;
        try {
            answer = work.start();
        } catch (Exception failure) {
            observer.onError(GrpcErrors.toStatusException(failure));
            return;
        }
        answer.whenComplete((response, failure) -> {
            try {
                if (failure != null) {
                    Throwable cause = failure instanceof CompletionException && failure.getCause() != null
                            ? failure.getCause() : failure;
                    observer.onError(GrpcErrors.toStatusException(cause));
                    return;
                }
                observer.onNext(response);
                observer.onCompleted();
            } catch (RuntimeException sendFailed) {
                // A stage swallows what its callback throws: close the call here, or its client waits for ever
                closeAfter(observer, sendFailed);
            }
        });
    }

    private static void closeAfter(StreamObserver<?> observer, RuntimeException sendFailed) {
        try {
            observer.onError(GrpcErrors.toStatusException(sendFailed));
        } catch (RuntimeException alreadyClosed) {
            // the call ended while answering: there is nobody left to tell
        }
    }
}
