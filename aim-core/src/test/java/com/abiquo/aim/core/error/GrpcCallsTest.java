package com.abiquo.aim.core.error;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.stub.StreamObserver;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;

/** A unary answer that comes later is given once, and a failure is mapped as a direct one would be. */
class GrpcCallsTest {
    @Test
    void anAnswerThatComesLaterIsGivenOnceWhenItComes() {
        Recorded<String> recorded = new Recorded<>();
        CompletableFuture<String> answer = new CompletableFuture<>();
        GrpcCalls.unaryLater(recorded, () -> answer);
        assertTrue(recorded.events.isEmpty(), "answered before the work completed: " + recorded.events);

        answer.complete("running");
        assertEquals(List.of("next running", "completed"), recorded.events);
    }

    @Test
    void aStageThatFailsLaterIsMappedLikeADirectFailure() {
        AimException outside = AimException.invalidArgument(CoreErrorReason.PATH_OUTSIDE_ROOT,
                "path '../a' leaves its root");
        Recorded<String> later = new Recorded<>();
        // thenApply wraps a failure of the stage before it in a CompletionException: the status must not show it
        GrpcCalls.unaryLater(later, () -> CompletableFuture.<String>failedFuture(outside).thenApply(s -> s));
        Recorded<String> direct = new Recorded<>();
        GrpcCalls.unary(direct, () -> {
            throw outside;
        });

        assertEquals(direct.events, later.events);
        assertEquals(List.of("error INVALID_ARGUMENT path '../a' leaves its root"), later.events);
    }

    @Test
    void workThatFailsToStartIsAnsweredAtOnce() {
        Recorded<String> recorded = new Recorded<>();
        GrpcCalls.unaryLater(recorded, () -> {
            throw AimException.invalidArgument(CoreErrorReason.INVALID_PATH, "path is empty");
        });
        assertEquals(List.of("error INVALID_ARGUMENT path is empty"), recorded.events);
    }

    @Test
    void anAnswerThatCannotBeSentStillClosesTheCall() {
        List<String> events = new ArrayList<>();
        StreamObserver<String> failingOnNext = new StreamObserver<>() {
            @Override
            public void onNext(String value) {
                throw new IllegalStateException("the response does not serialise");
            }

            @Override
            public void onError(Throwable failure) {
                events.add("error " + ((StatusRuntimeException) failure).getStatus().getCode());
            }

            @Override
            public void onCompleted() {
                events.add("completed");
            }
        };
        CompletableFuture<String> answer = new CompletableFuture<>();
        GrpcCalls.unaryLater(failingOnNext, () -> answer);
        answer.complete("running");
        assertEquals(1, events.size(), "the call was not closed: " + events);
        assertTrue(events.get(0).startsWith("error "), events.toString());
    }

    private static final class Recorded<T> implements StreamObserver<T> {
        final List<String> events = new ArrayList<>();

        @Override
        public void onNext(T value) {
            events.add("next " + value);
        }

        @Override
        public void onError(Throwable failure) {
            Status status = ((StatusRuntimeException) failure).getStatus();
            events.add("error " + status.getCode() + " " + status.getDescription());
        }

        @Override
        public void onCompleted() {
            events.add("completed");
        }
    }
}
