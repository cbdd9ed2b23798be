package com.abiquo.aim.rimp.grpc;

import static java.util.Objects.requireNonNull;

import com.abiquo.aim.core.error.AimException;
import com.abiquo.aim.core.error.CoreErrorReason;
import com.abiquo.aim.core.error.GrpcErrors;
import com.abiquo.aim.rimp.RimpErrorReason;
import com.abiquo.aim.rimp.copy.CopyControl;
import com.abiquo.aim.rimp.copy.CopyOutcome;
import com.abiquo.aim.v1.RimpCopyOptions;
import com.abiquo.aim.v1.RimpCopyProgress;
import com.abiquo.aim.v1.RimpCopyResult;
import io.grpc.Status;
import io.grpc.stub.ServerCallStreamObserver;
import io.grpc.stub.StreamObserver;
import java.util.Map;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.function.Consumer;
import java.util.function.Function;

/**
 * One streaming copy call (CopyFromRepositoryToDatastore, CopyFromDatastoreToRepository, InstanceDisk): takes a copy
 * slot, registers with the running calls (the agent's shutdown stops it), runs the copy on the request executor so
 * that a client's cancellation reaches it while it runs, sends progress only while the client keeps up (progress can
 * be dropped, the final result cannot), and gives the slot back however the call ends.
 *
 * @param <R> the RPC's response message, which carries either progress or the result
 */
final class CopyCall<R> {
    private static final long DEFAULT_PROGRESS_INTERVAL_NANOS = 1_000_000_000L;

    /** A copy that reports progress through its control. */
    @FunctionalInterface
    interface CopyWork {
        CopyOutcome run(CopyControl control) throws AimException;
    }

    private final ServerCallStreamObserver<R> call;
    private final Function<RimpCopyResult, R> resultMessage;
    private final CopyControl control;
    private final Consumer<AimException> stopper;
    private final long progressInterval;
    private final boolean reportProgress;
    private long lastProgressSent;   // copy thread only

    CopyCall(StreamObserver<R> observer, RimpCopyOptions options, Function<RimpCopyProgress, R> progressMessage,
             Function<RimpCopyResult, R> resultMessage) {
        this.call = (ServerCallStreamObserver<R>) requireNonNull(observer, "observer is null");
        this.resultMessage = requireNonNull(resultMessage, "resultMessage is null");
        requireNonNull(progressMessage, "progressMessage is null");
        this.progressInterval = progressInterval(options);
        this.reportProgress = options.getReportProgress();
        this.lastProgressSent = System.nanoTime() - progressInterval;
        this.control = new CopyControl((done, total, rate) -> {
            long now = System.nanoTime();
            // progress may be dropped (a slow reader must not slow the copy); the result never is
            if (reportProgress && now - lastProgressSent >= progressInterval && call.isReady()
                    && !call.isCancelled()) {
                lastProgressSent = now;
                call.onNext(progressMessage.apply(RimpCopyProgress.newBuilder().setBytesDone(done)
                        .setBytesTotal(total).setBytesPerSecond(rate).build()));
            }
        });
        this.stopper = control::cancel;
    }

    /** The client's progress_interval when it is positive, else one second. */
    static long progressInterval(RimpCopyOptions options) {
        long asked = options.hasProgressInterval() ? RimpGrpcService.nanos(options.getProgressInterval()) : 0;
        return asked > 0 ? asked : DEFAULT_PROGRESS_INTERVAL_NANOS;
    }

    /** Starts the copy, or answers the client at once when there is no slot, the agent stops or is overloaded. */
    void start(CopyWork work, CopySlots copySlots, RunningCalls running, Executor executor) {
        call.setOnCancelHandler(() -> control.cancel(new AimException(Status.Code.CANCELLED, RimpErrorReason.CANCELLED,
                "the client cancelled the call; the copy stopped and its temporary was removed", Map.of(), null)));
        try {
            copySlots.take();
        } catch (AimException full) {
            call.onError(GrpcErrors.toStatusException(full));
            return;
        }
        try {
            running.register(stopper);
        } catch (AimException stopping) {
            copySlots.release();
            call.onError(GrpcErrors.toStatusException(stopping));
            return;
        }
        try {
            executor.execute(() -> {
                try {
                    // queued work whose call was cancelled or timed out meanwhile does not start at all
                    control.checkCancelled();
                    CopyOutcome outcome = work.run(control);
                    if (!call.isCancelled()) {
                        call.onNext(resultMessage.apply(RimpGrpcService.toProto(outcome)));
                        call.onCompleted();
                    }
                } catch (Exception failure) {
                    if (!call.isCancelled()) {
                        call.onError(GrpcErrors.toStatusException(failure));
                    }
                } finally {
                    running.unregister(stopper);
                    copySlots.release();
                }
            });
        } catch (RejectedExecutionException full) {
            running.unregister(stopper);
            copySlots.release();
            // the request threads queue without bound, so they refuse work only once the agent stops them
            call.onError(GrpcErrors.toStatusException(AimException.unavailable(CoreErrorReason.AGENT_STOPPING,
                    "the agent is shutting down: the copy did not start; retry on the agent once it is back")));
        }
    }
}
