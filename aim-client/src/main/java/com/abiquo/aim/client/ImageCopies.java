package com.abiquo.aim.client;

import static java.util.Objects.requireNonNull;

import com.abiquo.aim.v1.CopyFromDatastoreToRepositoryRequest;
import com.abiquo.aim.v1.CopyFromDatastoreToRepositoryResponse;
import com.abiquo.aim.v1.CopyFromRepositoryToDatastoreRequest;
import com.abiquo.aim.v1.CopyFromRepositoryToDatastoreResponse;
import com.abiquo.aim.v1.RimpCopyOptions;
import com.abiquo.aim.v1.RimpCopyProgress;
import com.abiquo.aim.v1.RimpCopyResult;
import com.abiquo.aim.v1.RimpServiceGrpc;
import com.abiquo.aim.v1.UploadHeader;
import com.abiquo.aim.v1.UploadRequest;
import com.abiquo.aim.v1.UploadResponse;
import com.google.protobuf.ByteString;
import io.grpc.Channel;
import io.grpc.stub.ClientCallStreamObserver;
import io.grpc.stub.ClientResponseObserver;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Function;

/**
 * The agent's image copies with progress and cancellation: deploy (repository -> datastore), snapshot (datastore
 * -> repository) and upload (a local file -> a datastore or the repository).
 */
public final class ImageCopies {
    private static final int CHUNK_BYTES = 256 * 1024;

    private final RimpServiceGrpc.RimpServiceStub stub;

    public ImageCopies(Channel channel) {
        this.stub = RimpServiceGrpc.newStub(requireNonNull(channel, "channel is null"));
    }

    /** Deploys an image to {@code <datastore>/<vm uuid>}; progress is reported about once a second. */
    public CopyOperation<RimpCopyResult> deploy(CopyFromRepositoryToDatastoreRequest request,
            CopyProgressListener progress) {
        CopyFromRepositoryToDatastoreRequest withProgress = request.toBuilder()
                .setOptions(request.getOptions().toBuilder().setReportProgress(true)).build();
        return streamed(observer -> stub.copyFromRepositoryToDatastore(withProgress, observer), progress,
                CopyFromRepositoryToDatastoreResponse::hasProgress, CopyFromRepositoryToDatastoreResponse::getProgress,
                CopyFromRepositoryToDatastoreResponse::getResult);
    }

    /** Copies a virtual machine's disk to the repository. */
    public CopyOperation<RimpCopyResult> snapshot(CopyFromDatastoreToRepositoryRequest request,
            CopyProgressListener progress) {
        CopyFromDatastoreToRepositoryRequest withProgress = request.toBuilder()
                .setOptions(withProgress(request.getOptions())).build();
        return streamed(observer -> stub.copyFromDatastoreToRepository(withProgress, observer), progress,
                CopyFromDatastoreToRepositoryResponse::hasProgress, CopyFromDatastoreToRepositoryResponse::getProgress,
                CopyFromDatastoreToRepositoryResponse::getResult);
    }

    private static RimpCopyOptions withProgress(RimpCopyOptions options) {
        return options.toBuilder().setReportProgress(true).build();
    }

    private <M> CopyOperation<RimpCopyResult> streamed(
            java.util.function.Consumer<ClientResponseObserver<Object, M>> start, CopyProgressListener progress,
            Function<M, Boolean> isProgress, Function<M, RimpCopyProgress> progressOf,
            Function<M, RimpCopyResult> resultOf) {
        CompletableFuture<RimpCopyResult> result = new CompletableFuture<>();
        AtomicReference<ClientCallStreamObserver<Object>> call = new AtomicReference<>();
        start.accept(new ClientResponseObserver<>() {
            private RimpCopyResult last;

            @Override
            public void beforeStart(ClientCallStreamObserver<Object> requestStream) {
                call.set(requestStream);
            }

            @Override
            public void onNext(M message) {
                if (isProgress.apply(message)) {
                    RimpCopyProgress p = progressOf.apply(message);
                    progress.onProgress(p.getBytesDone(), p.getBytesTotal(), p.getBytesPerSecond());
                } else {
                    last = resultOf.apply(message);
                }
            }

            @Override
            public void onError(Throwable failure) {
                result.completeExceptionally(AimClientException.from(failure));
            }

            @Override
            public void onCompleted() {
                if (last != null) {
                    progress.onProgress(last.getSizeBytes(), last.getSizeBytes(), 0);
                    result.complete(last);
                } else {
                    result.completeExceptionally(AimClientException.from(io.grpc.Status.INTERNAL
                            .withDescription("the copy ended without a result").asRuntimeException()));
                }
            }
        });
        return new CopyOperation<>(result, () -> call.get().cancel("cancelled by the client", null));
    }

    /**
     * Uploads {@code file} to {@code destination} (absolute, in a datastore or the repository), sending as fast as
     * the stream's flow control allows; {@code sha256} (lower-case hex) may be empty.
     */
    public CopyOperation<UploadResponse> upload(Path file, String destination, String sha256,
            CopyProgressListener progress) throws IOException {
        long size = Files.size(file);
        InputStream in = Files.newInputStream(file);
        CompletableFuture<UploadResponse> result = new CompletableFuture<>();
        AtomicReference<ClientCallStreamObserver<UploadRequest>> call = new AtomicReference<>();
        UploadHeader header = UploadHeader.newBuilder().setPath(destination).setSizeBytes(size).setSha256(sha256)
                .build();
        UploadSender sender = new UploadSender(header, in, size, progress, result);
        stub.upload(new ClientResponseObserver<UploadRequest, UploadResponse>() {
            @Override
            public void beforeStart(ClientCallStreamObserver<UploadRequest> requestStream) {
                call.set(requestStream);
                // nothing may be sent before the call starts: the header goes with the first ready signal
                requestStream.setOnReadyHandler(() -> sender.sendWhileReady(requestStream));
            }

            @Override
            public void onNext(UploadResponse response) {
                result.complete(response);
            }

            @Override
            public void onError(Throwable failure) {
                sender.close();
                result.completeExceptionally(AimClientException.from(failure));
            }

            @Override
            public void onCompleted() {
                sender.close();
            }
        });
        return new CopyOperation<>(result, () -> call.get().cancel("cancelled by the client", null));
    }

    /** Reads the file in chunks and sends them while the stream is ready; reports bytes sent and the rate. */
    private static final class UploadSender {
        private final UploadHeader header;
        private final InputStream in;
        private final long size;
        private final CopyProgressListener progress;
        private final CompletableFuture<UploadResponse> result;
        private final long startNanos = System.nanoTime();
        private long sent;
        private long lastReportNanos;
        private boolean finished;
        private boolean headerSent;

        UploadSender(UploadHeader header, InputStream in, long size, CopyProgressListener progress,
                CompletableFuture<UploadResponse> result) {
            this.header = header;
            this.in = in;
            this.size = size;
            this.progress = progress;
            this.result = result;
        }

        synchronized void sendWhileReady(ClientCallStreamObserver<UploadRequest> stream) {
            try {
                if (!headerSent && !finished) {
                    stream.onNext(UploadRequest.newBuilder().setHeader(header).build());
                    headerSent = true;
                }
                byte[] buffer = new byte[CHUNK_BYTES];
                while (!finished && stream.isReady()) {
                    int read = in.readNBytes(buffer, 0, (int) Math.min(buffer.length, size - sent));
                    if (read <= 0 || sent + read >= size) {
                        if (read > 0) {
                            stream.onNext(UploadRequest.newBuilder().setChunk(ByteString.copyFrom(buffer, 0, read))
                                    .build());
                            sent += read;
                        }
                        finished = true;
                        report(true);
                        stream.onCompleted();
                        close();
                        return;
                    }
                    stream.onNext(UploadRequest.newBuilder().setChunk(ByteString.copyFrom(buffer, 0, read)).build());
                    sent += read;
                    report(false);
                }
            } catch (IOException unreadable) {
                finished = true;
                stream.cancel("cannot read the file: " + unreadable.getMessage(), unreadable);
                result.completeExceptionally(new AimClientException(io.grpc.Status.Code.CANCELLED, "",
                        "cannot read the file: " + unreadable.getMessage(), java.util.Map.of(), unreadable));
            }
        }

        private void report(boolean last) {
            long now = System.nanoTime();
            if (!last && now - lastReportNanos < 200_000_000L) {
                return;
            }
            lastReportNanos = now;
            double seconds = Math.max(1e-3, (now - startNanos) / 1e9);
            progress.onProgress(sent, size, (long) (sent / seconds));
        }

        synchronized void close() {
            finished = true;
            try {
                in.close();
            } catch (IOException ignored) {
                // nothing more is read
            }
        }
    }
}
