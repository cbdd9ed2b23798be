package com.abiquo.aim.rimp.grpc;

import com.abiquo.aim.v1.UploadResponse;
import io.grpc.stub.StreamObserver;
import java.util.concurrent.CompletableFuture;

/** An upload call's response observer that completes a future with the answer or the error. */
final class UploadResults {
    private UploadResults() {
    }

    static StreamObserver<UploadResponse> into(CompletableFuture<UploadResponse> result) {
        return new StreamObserver<>() {
            @Override
            public void onNext(UploadResponse value) {
                result.complete(value);
            }

            @Override
            public void onError(Throwable failure) {
                result.completeExceptionally(failure);
            }

            @Override
            public void onCompleted() {
            }
        };
    }
}
