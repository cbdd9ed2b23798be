package com.abiquo.aim.rimp.grpc;

import com.abiquo.aim.core.error.AimException;
import com.abiquo.aim.core.error.GrpcErrors;
import com.abiquo.aim.rimp.RimpErrorReason;
import com.abiquo.aim.rimp.image.Uploads;
import com.abiquo.aim.v1.UploadRequest;
import com.abiquo.aim.v1.UploadResponse;
import io.grpc.stub.StreamObserver;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Consumer;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.Logger;

/**
 * One Upload call: the header opens the upload, chunks are written as they come (gRPC asks the client for the next
 * message only after this one was written: the disk sets the pace), the end of the stream finishes it. A client
 * that cancels, or an agent that stops, leaves nothing behind.
 *
 * <p>The call's messages are handled under a lock; shutdown ({@link #stop}) never waits for it: a write stuck on a
 * hung disk must not hold up the agent's shutdown. When the lock is busy, stop answers the client at once and the
 * stuck thread removes the temporary when its write returns.
 *
 * <p>A failure answered while the client is still sending (a refused header, too many bytes) is followed by a reset
 * of the HTTP/2 stream, done for every client-streaming call by aim-server's EarlyCloseReset: without it a client
 * that keeps writing stalls on flow control for ever (grpc-java issue 2162; the remedy chosen is the reset, not
 * reading and discarding the rest, see docs/rimp.md).
 */
final class UploadCall implements StreamObserver<UploadRequest> {
    private static final Logger LOG = LogManager.getLogger(UploadCall.class);

    private final Uploads uploads;
    private final RunningCalls running;
    private final StreamObserver<UploadResponse> observer;
    private final Consumer<AimException> stopper = this::stop;
    private final ReentrantLock lock = new ReentrantLock();
    /** Set once by whoever answers the client (result or error): the observer is called by one thread only. */
    private final AtomicBoolean answered = new AtomicBoolean();
    private Uploads.Upload upload; // guarded by lock
    private volatile AimException stopReason;

    UploadCall(Uploads uploads, RunningCalls running, StreamObserver<UploadResponse> observer) {
        this.uploads = uploads;
        this.running = running;
        this.observer = observer;
    }

    @Override
    public void onNext(UploadRequest request) {
        lock.lock();
        try {
            if (answered.get()) {
                abortUpload(); // stopped while the previous message was written
                return;
            }
            if (stopReason != null) {
                throw stopReason;
            }
            if (upload == null) {
                if (!request.hasHeader()) {
                    throw AimException.invalidArgument(RimpErrorReason.UPLOAD_HEADER_MISSING,
                            "the first message of an upload must carry the header (path and size_bytes)");
                }
                running.register(stopper);
                upload = uploads.begin(request.getHeader().getPath(), request.getHeader().getSizeBytes(),
                        request.getHeader().getSha256());
            } else if (request.hasHeader()) {
                throw AimException.invalidArgument(RimpErrorReason.UPLOAD_HEADER_REPEATED,
                        "only the first message of an upload may carry a header");
            } else {
                upload.write(request.getChunk().asReadOnlyByteBuffer());
            }
            if (stopReason != null) {
                throw stopReason; // stopped during the write: the temporary goes now
            }
        } catch (AimException | RuntimeException failure) {
            fail(failure);
        } finally {
            lock.unlock();
        }
    }

    @Override
    public void onError(Throwable clientGone) {
        lock.lock();
        try {
            answered.set(true);
            abortUpload();
            running.unregister(stopper);
        } finally {
            lock.unlock();
        }
    }

    @Override
    public void onCompleted() {
        lock.lock();
        try {
            if (answered.get()) {
                abortUpload();
                return;
            }
            if (upload == null) {
                throw AimException.invalidArgument(RimpErrorReason.UPLOAD_HEADER_MISSING,
                        "the upload stream ended without a header");
            }
            Uploads.Uploaded done = upload.finish();
            running.unregister(stopper);
            if (answered.compareAndSet(false, true)) {
                observer.onNext(UploadResponse.newBuilder().setPath(done.path().toString())
                        .setSizeBytes(done.sizeBytes()).setSha256(done.sha256()).build());
                observer.onCompleted();
            } else {
                // shutdown answered UNAVAILABLE while the final fsync and rename were under way
                LOG.warn("The upload of {} finished after the agent began to stop; the client was told it failed",
                        done.path());
            }
        } catch (AimException | RuntimeException failure) {
            fail(failure);
        } finally {
            lock.unlock();
        }
    }

    /** Shutdown: the upload is abandoned and the stream ends with the reason (UNAVAILABLE). Never blocks. */
    private void stop(AimException reason) {
        stopReason = reason;
        if (lock.tryLock()) {
            try {
                fail(reason);
            } finally {
                lock.unlock();
            }
            return;
        }
        // a message is being handled, perhaps a write stuck on a hung disk: answer now, clean up when it returns
        running.unregister(stopper);
        answer(reason);
    }

    /** Under the lock: the upload goes, and the client hears why unless it was answered already. */
    private void fail(Exception failure) {
        abortUpload();
        running.unregister(stopper);
        answer(failure);
    }

    private void answer(Exception failure) {
        if (answered.compareAndSet(false, true)) {
            observer.onError(GrpcErrors.toStatusException(failure));
        }
    }

    private void abortUpload() {
        if (upload != null) {
            upload.abort();
        }
    }
}
