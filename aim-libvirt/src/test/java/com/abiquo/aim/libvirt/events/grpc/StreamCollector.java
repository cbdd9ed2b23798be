package com.abiquo.aim.libvirt.events.grpc;

import com.abiquo.aim.testing.Waits;
import com.abiquo.aim.v1.DomainEvent;
import com.abiquo.aim.v1.SubscribeRequest;
import com.abiquo.aim.v1.SubscribeResponse;
import io.grpc.Status;
import io.grpc.stub.ClientCallStreamObserver;
import io.grpc.stub.ClientResponseObserver;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;

/** A gRPC client of Subscribe that records what it receives; can hold back its reads (a stalled client). */
public final class StreamCollector implements ClientResponseObserver<SubscribeRequest, SubscribeResponse> {
    public final AppendOnlyList<SubscribeResponse> messages = new AppendOnlyList<>();
    public final CompletableFuture<Status> status = new CompletableFuture<>();
    private final int initialRequests;
    private volatile ClientCallStreamObserver<SubscribeRequest> call;

    /** @param initialRequests messages to accept before {@link #request}; 0 or less reads everything */
    public StreamCollector(int initialRequests) {
        this.initialRequests = initialRequests;
    }

    public StreamCollector() {
        this(0);
    }

    @Override
    public void beforeStart(ClientCallStreamObserver<SubscribeRequest> requestStream) {
        call = requestStream;
        if (initialRequests > 0) {
            requestStream.disableAutoRequestWithInitial(initialRequests);
        }
    }

    public void request(int count) {
        call.request(count);
    }

    public void cancel() {
        call.cancel("test client hangs up", null);
    }

    @Override
    public void onNext(SubscribeResponse value) {
        messages.add(value);
    }

    @Override
    public void onError(Throwable failure) {
        status.complete(Status.fromThrowable(failure));
    }

    @Override
    public void onCompleted() {
        status.complete(Status.OK);
    }

    public List<DomainEvent> events() {
        List<DomainEvent> events = new ArrayList<>();
        for (SubscribeResponse message : messages.copy()) {
            if (message.hasEvent()) {
                events.add(message.getEvent());
            }
        }
        return events;
    }

    public String subscriptionId() throws InterruptedException {
        awaitMessages(list -> !list.isEmpty(), Duration.ofSeconds(10));
        return messages.get(0).getStarted().getSubscriptionId();
    }

    /**
     * Waits until the events received satisfy the condition, or the stream ends; returns whether they do, so that
     * the caller's assertion says what it expected.
     */
    public boolean awaitEvents(Predicate<List<DomainEvent>> condition, Duration timeout) {
        Waits.holdsWithin(timeout, Waits.POLL, () -> condition.test(events()) || status.isDone());
        return condition.test(events());
    }

    /** Waits until the messages received satisfy the condition; returns whether they do. */
    public boolean awaitMessages(Predicate<List<SubscribeResponse>> condition, Duration timeout) {
        return Waits.holdsWithin(timeout, Waits.POLL, () -> condition.test(messages.copy()));
    }

    public Status awaitStatus(Duration timeout) throws Exception {
        return status.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
    }
}
