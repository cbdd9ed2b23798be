package com.abiquo.aim.rimp.grpc;

import com.abiquo.aim.core.error.AimException;
import com.abiquo.aim.core.error.GrpcErrors;
import com.abiquo.aim.rimp.image.Uploads;
import com.abiquo.aim.v1.UploadRequest;
import com.abiquo.aim.v1.UploadResponse;
import io.grpc.stub.StreamObserver;
import java.util.function.Consumer;

/**
 * One Upload call: the header opens the upload, chunks are written as they come (gRPC asks the client for the next
 * message only after this one was written: the disk sets the pace), the end of the stream finishes it. A client
 * that cancels, or an agent that stops, leaves nothing behind.
 */
final class UploadCall implements StreamObserver<UploadRequest> {
    private final Uploads uploads;
    private final RunningCalls running;
    private final StreamObserver<UploadResponse> observer;
    private final Consumer<AimException> stopper = this::stop;
    private Uploads.Upload upload;
    private volatile AimException stopReason;
    private boolean closed; // the call was answered (or the client went away): nothing more to send

    UploadCall(Uploads uploads, RunningCalls running, StreamObserver<UploadResponse> observer) {
        this.uploads = uploads;
        this.running = running;
        this.observer = observer;
    }

    @Override
    public synchronized void onNext(UploadRequest request) {
        if (closed) {
            return;
        }
        try {
            if (stopReason != null) {
                throw stopReason;
            }
            if (upload == null) {
                if (!request.hasHeader()) {
                    throw AimException.invalidArgument("UPLOAD_HEADER_MISSING",
                            "the first message of an upload must carry the header (path and size_bytes)");
                }
                running.register(stopper);
                upload = uploads.begin(request.getHeader().getPath(), request.getHeader().getSizeBytes(),
                        request.getHeader().getSha256());
            } else if (request.hasHeader()) {
                throw AimException.invalidArgument("UPLOAD_HEADER_REPEATED",
                        "only the first message of an upload may carry a header");
            } else {
                upload.write(request.getChunk().asReadOnlyByteBuffer());
            }
        } catch (AimException | RuntimeException failure) {
            fail(failure);
        }
    }

    @Override
    public synchronized void onError(Throwable clientGone) {
        closed = true;
        if (upload != null) {
            upload.abort();
        }
        running.unregister(stopper);
    }

    @Override
    public synchronized void onCompleted() {
        if (closed) {
            return;
        }
        try {
            if (upload == null) {
                throw AimException.invalidArgument("UPLOAD_HEADER_MISSING",
                        "the upload stream ended without a header");
            }
            Uploads.Uploaded done = upload.finish();
            closed = true;
            running.unregister(stopper);
            observer.onNext(UploadResponse.newBuilder().setPath(done.path().toString()).setSizeBytes(done.sizeBytes())
                    .setSha256(done.sha256()).build());
            observer.onCompleted();
        } catch (AimException | RuntimeException failure) {
            fail(failure);
        }
    }

    /** Shutdown: the upload is abandoned and the stream ends with the reason (UNAVAILABLE). */
    private synchronized void stop(AimException reason) {
        stopReason = reason;
        if (!closed) {
            fail(reason);
        }
    }

    private void fail(Exception failure) {
        closed = true;
        if (upload != null) {
            upload.abort();
        }
        running.unregister(stopper);
        observer.onError(GrpcErrors.toStatusException(failure));
    }
}
