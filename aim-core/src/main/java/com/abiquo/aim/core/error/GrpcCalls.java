package com.abiquo.aim.core.error;

import io.grpc.stub.StreamObserver;

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
}
