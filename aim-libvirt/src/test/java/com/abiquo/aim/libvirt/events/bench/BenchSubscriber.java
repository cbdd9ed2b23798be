package com.abiquo.aim.libvirt.events.bench;

import com.abiquo.aim.libvirt.events.EventJournal;
import com.abiquo.aim.v1.SubscribeRequest;
import com.abiquo.aim.v1.SubscribeResponse;
import io.grpc.Status;
import io.grpc.stub.ClientCallStreamObserver;
import io.grpc.stub.ClientResponseObserver;
import java.util.concurrent.CompletableFuture;

/**
 * A benchmark client: counts events, checks that sequence numbers come without gap or duplicate, and (when asked)
 * records per event the time from the libvirt callback to its receipt here, looking the callback time up in the
 * server's journal (same process, same clock).
 */
final class BenchSubscriber implements ClientResponseObserver<SubscribeRequest, SubscribeResponse> {
    final CompletableFuture<String> started = new CompletableFuture<>();
    final CompletableFuture<Status> ended = new CompletableFuture<>();
    private final EventJournal journal;
    private final boolean recordLatency;
    private volatile ClientCallStreamObserver<SubscribeRequest> call;
    volatile long received;
    /** Counted down on each event, so the benchmark waits for receipts without polling (polling steals a core). */
    volatile java.util.concurrent.CountDownLatch arrivals;
    volatile long lastSequence;
    volatile long lastReceiptNanos;
    volatile long lastCallbackToReceiptNanos;
    volatile long gaps;

    BenchSubscriber(EventJournal journal, boolean recordLatency) {
        this.journal = journal;
        this.recordLatency = recordLatency;
    }

    @Override
    public void beforeStart(ClientCallStreamObserver<SubscribeRequest> requestStream) {
        call = requestStream;
    }

    @Override
    public void onNext(SubscribeResponse value) {
        if (value.hasStarted()) {
            started.complete(value.getStarted().getSubscriptionId());
            return;
        }
        if (!value.hasEvent()) {
            return;
        }
        long now = System.nanoTime();
        long sequence = value.getEvent().getSequence();
        if (lastSequence != 0 && sequence != lastSequence + 1 && !recordLatency) {
            gaps++;
        }
        if (recordLatency) {
            EventJournal.Entry entry = journal.get(sequence);
            lastCallbackToReceiptNanos = entry == null ? -1 : now - entry.event().receivedNanos();
        }
        lastSequence = sequence;
        lastReceiptNanos = now;
        received++;
        java.util.concurrent.CountDownLatch latch = arrivals;
        if (latch != null) {
            latch.countDown();
        }
    }

    @Override
    public void onError(Throwable failure) {
        ended.complete(Status.fromThrowable(failure));
    }

    @Override
    public void onCompleted() {
        ended.complete(Status.OK);
    }

    void cancel() {
        ClientCallStreamObserver<SubscribeRequest> current = call;
        if (current != null) {
            current.cancel("benchmark done", null);
        }
    }
}
