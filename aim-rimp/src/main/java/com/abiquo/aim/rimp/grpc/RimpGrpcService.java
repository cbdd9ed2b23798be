package com.abiquo.aim.rimp.grpc;

import static java.util.Objects.requireNonNull;

import com.abiquo.aim.core.error.AimException;
import com.abiquo.aim.core.error.GrpcCalls;
import com.abiquo.aim.core.error.GrpcErrors;
import com.abiquo.aim.core.module.HealthReporter;
import com.abiquo.aim.rimp.RimpErrorReason;
import com.abiquo.aim.rimp.copy.CopyControl;
import com.abiquo.aim.rimp.copy.CopyMethod;
import com.abiquo.aim.rimp.copy.CopyOutcome;
import com.abiquo.aim.rimp.datastore.DatastoreInfo;
import com.abiquo.aim.rimp.datastore.Datastores;
import com.abiquo.aim.rimp.image.ImageOperations;
import com.abiquo.aim.rimp.image.Repository;
import com.abiquo.aim.rimp.image.RepositoryCheck;
import com.abiquo.aim.rimp.image.Uploads;
import com.abiquo.aim.rimp.net.NetInterface;
import com.abiquo.aim.rimp.net.NetInterfaces;
import com.abiquo.aim.v1.CheckRimpConfigurationRequest;
import com.abiquo.aim.v1.CheckRimpConfigurationResponse;
import com.abiquo.aim.v1.CopyFromDatastoreToRepositoryRequest;
import com.abiquo.aim.v1.CopyFromDatastoreToRepositoryResponse;
import com.abiquo.aim.v1.CopyFromRepositoryToDatastoreRequest;
import com.abiquo.aim.v1.CopyFromRepositoryToDatastoreResponse;
import com.abiquo.aim.v1.DeleteVirtualImageFromDatastoreRequest;
import com.abiquo.aim.v1.DeleteVirtualImageFromDatastoreResponse;
import com.abiquo.aim.v1.GetDatastoresRequest;
import com.abiquo.aim.v1.GetDatastoresResponse;
import com.abiquo.aim.v1.GetDiskFileSizeRequest;
import com.abiquo.aim.v1.GetDiskFileSizeResponse;
import com.abiquo.aim.v1.GetNetInterfacesRequest;
import com.abiquo.aim.v1.GetNetInterfacesResponse;
import com.abiquo.aim.v1.InstanceDiskRequest;
import com.abiquo.aim.v1.InstanceDiskResponse;
import com.abiquo.aim.v1.RenameDiskRequest;
import com.abiquo.aim.v1.RenameDiskResponse;
import com.abiquo.aim.v1.RimpCopyMethod;
import com.abiquo.aim.v1.RimpCopyOptions;
import com.abiquo.aim.v1.RimpCopyProgress;
import com.abiquo.aim.v1.RimpCopyResult;
import com.abiquo.aim.v1.RimpDatastore;
import com.abiquo.aim.v1.RimpNetInterface;
import com.abiquo.aim.v1.RimpServiceGrpc;
import com.abiquo.aim.v1.UploadRequest;
import com.abiquo.aim.v1.UploadResponse;
import com.google.protobuf.util.Durations;
import io.grpc.Context;
import io.grpc.Status;
import io.grpc.stub.StreamObserver;
import java.util.Map;
import java.util.concurrent.Executor;
import java.util.function.Consumer;
import java.util.function.Function;

/**
 * The thin gRPC adapter of RimpService: checks requests, calls the logic, maps results. Copies run on the request
 * executor so that a client's cancellation reaches them while they run; progress is sent only while the client
 * keeps up (it can be dropped, the final result cannot).
 */
public final class RimpGrpcService extends RimpServiceGrpc.RimpServiceImplBase {
    public static final String SERVICE_NAME = RimpServiceGrpc.SERVICE_NAME;

    private final Repository repository;
    private final Datastores datastores;
    private final NetInterfaces netInterfaces;
    private final ImageOperations images;
    private final Uploads uploads;
    private final Executor executor;
    private final HealthReporter health;
    private final RunningCalls running;
    private final CopySlots copySlots;
    private final boolean autoBackup;
    private final boolean autoRestore;
    private String reportedState; // null: nothing reported yet; "": serving; otherwise why not

    public RimpGrpcService(Repository repository, Datastores datastores, NetInterfaces netInterfaces,
                           ImageOperations images, Uploads uploads, Executor executor, HealthReporter health,
                           RunningCalls running, int maxConcurrentCopies, boolean autoBackup,
                           boolean autoRestore) {
        this.repository = requireNonNull(repository, "repository is null");
        this.datastores = requireNonNull(datastores, "datastores is null");
        this.netInterfaces = requireNonNull(netInterfaces, "netInterfaces is null");
        this.images = requireNonNull(images, "images is null");
        this.uploads = requireNonNull(uploads, "uploads is null");
        this.executor = requireNonNull(executor, "executor is null");
        this.health = requireNonNull(health, "health is null");
        this.running = requireNonNull(running, "running is null");
        this.copySlots = new CopySlots(maxConcurrentCopies);
        this.autoBackup = autoBackup;
        this.autoRestore = autoRestore;
    }

    /**
     * Checks the repository and sets the service's health when it changed. The check itself runs without the lock:
     * it can hang on a dead NFS mount, and {@link #reportUnanswered} must still get through meanwhile.
     */
    public RepositoryCheck checkAndReport() {
        RepositoryCheck check = repository.check();
        report(check);
        return check;
    }

    /** A repository check that hangs: NOT_SERVING with the reason, until a check answers again. */
    public synchronized void reportUnanswered(String why) {
        if (!why.equals(reportedState)) {
            reportedState = why;
            health.notServing(SERVICE_NAME, why);
        }
    }

    private synchronized void report(RepositoryCheck check) {
        String state = check.valid() ? "" : String.join("; ", check.problems());
        if (!state.equals(reportedState)) {
            reportedState = state;
            if (check.valid()) {
                health.serving(SERVICE_NAME);
            } else {
                health.notServing(SERVICE_NAME, state);
            }
        }
    }

    @Override
    public void checkRimpConfiguration(CheckRimpConfigurationRequest request,
                                       StreamObserver<CheckRimpConfigurationResponse> observer) {
        GrpcCalls.unary(observer, () -> {
            RepositoryCheck check = checkAndReport();
            return CheckRimpConfigurationResponse.newBuilder().setValid(check.valid())
                    .setRepository(check.repository().toString()).addAllProblems(check.problems())
                    .setAutoBackup(autoBackup).setAutoRestore(autoRestore).build();
        });
    }

    @Override
    public void getDatastores(GetDatastoresRequest request, StreamObserver<GetDatastoresResponse> observer) {
        GrpcCalls.unary(observer, () -> {
            GetDatastoresResponse.Builder response = GetDatastoresResponse.newBuilder();
            for (DatastoreInfo info : datastores.list()) {
                response.addDatastores(RimpDatastore.newBuilder().setUuid(info.uuid()).setDevice(info.device())
                        .setPath(info.path().toString()).setType(info.type()).setTotalBytes(info.totalBytes())
                        .setUsableBytes(info.usableBytes()).setReadOnly(info.readOnly()));
            }
            return response.build();
        });
    }

    @Override
    public void getNetInterfaces(GetNetInterfacesRequest request, StreamObserver<GetNetInterfacesResponse> observer) {
        GrpcCalls.unary(observer, () -> {
            GetNetInterfacesResponse.Builder response = GetNetInterfacesResponse.newBuilder();
            for (NetInterface face : netInterfaces.list()) {
                response.addInterfaces(RimpNetInterface.newBuilder().setName(face.name())
                        .setMacAddress(face.macAddress()));
            }
            return response.build();
        });
    }

    @Override
    public void getDiskFileSize(GetDiskFileSizeRequest request, StreamObserver<GetDiskFileSizeResponse> observer) {
        GrpcCalls.unary(observer, () -> {
            ImageOperations.DiskSize size = images.diskFileSize(request.getPath());
            return GetDiskFileSizeResponse.newBuilder().setSizeBytes(size.sizeBytes())
                    .setAllocatedBytes(size.allocatedBytes()).build();
        });
    }

    @Override
    public void copyFromRepositoryToDatastore(CopyFromRepositoryToDatastoreRequest request,
                                              StreamObserver<CopyFromRepositoryToDatastoreResponse> observer) {
        streamCopy(observer, request.getOptions(),
                control -> images.deploy(request.getRepositoryPath(), request.getDatastorePath(),
                        request.getVmUuid(), request.getOptions().getVerifySha256(), control),
                progress -> CopyFromRepositoryToDatastoreResponse.newBuilder().setProgress(progress).build(),
                result -> CopyFromRepositoryToDatastoreResponse.newBuilder().setResult(result).build());
    }

    @Override
    public void deleteVirtualImageFromDatastore(DeleteVirtualImageFromDatastoreRequest request,
                                                StreamObserver<DeleteVirtualImageFromDatastoreResponse> observer) {
        GrpcCalls.unary(observer, () -> {
            ImageOperations.Undeployed undeployed = images.undeploy(request.getDatastorePath(), request.getVmUuid());
            return DeleteVirtualImageFromDatastoreResponse.newBuilder()
                    .setInstanceFound(undeployed.instanceFound())
                    .setBackupPath(undeployed.backup().map(Object::toString).orElse("")).build();
        });
    }

    @Override
    public void copyFromDatastoreToRepository(CopyFromDatastoreToRepositoryRequest request,
                                              StreamObserver<CopyFromDatastoreToRepositoryResponse> observer) {
        streamCopy(observer, request.getOptions(),
                control -> images.snapshot(request.getVmUuid(), request.getSnapshot(),
                        request.getDestinationRepositoryPath(), request.getSourceDatastorePath(),
                        request.getOptions().getVerifySha256(), control),
                progress -> CopyFromDatastoreToRepositoryResponse.newBuilder().setProgress(progress).build(),
                result -> CopyFromDatastoreToRepositoryResponse.newBuilder().setResult(result).build());
    }

    @Override
    public void instanceDisk(InstanceDiskRequest request, StreamObserver<InstanceDiskResponse> observer) {
        streamCopy(observer, request.getOptions(),
                control -> images.instanceDisk(request.getSource(), request.getDestination(),
                        request.getOptions().getVerifySha256(), control),
                progress -> InstanceDiskResponse.newBuilder().setProgress(progress).build(),
                result -> InstanceDiskResponse.newBuilder().setResult(result).build());
    }

    /**
     * Mostly one rename, but a copy across file systems: like the streaming copies, it stops (and removes its
     * temporary) when the client cancels, the deadline passes or the agent stops. A unary handler gets no onCancel
     * while it runs, so the call's Context is what tells it.
     */
    @Override
    public void renameDisk(RenameDiskRequest request, StreamObserver<RenameDiskResponse> observer) {
        CopyControl control = CopyControl.none();
        Consumer<AimException> stopper = control::cancel;
        Context.CancellationListener cancelled = context -> control.cancel(new AimException(
                Status.Code.CANCELLED, RimpErrorReason.CANCELLED,
                        "the call was cancelled or its deadline passed; the copy "
                + "stopped, its temporary was removed and the source was left in place", Map.of(), null));
        try {
            running.register(stopper);
        } catch (AimException stopping) {
            observer.onError(GrpcErrors.toStatusException(stopping));
            return;
        }
        Context.current().addListener(cancelled, Runnable::run);
        try {
            GrpcCalls.unary(observer, () -> RenameDiskResponse.newBuilder()
                    .setResult(toProto(images.rename(request.getOldPath(), request.getNewPath(), control))).build());
        } finally {
            Context.current().removeListener(cancelled);
            running.unregister(stopper);
        }
    }

    @Override
    public StreamObserver<UploadRequest> upload(StreamObserver<UploadResponse> observer) {
        return new UploadCall(uploads, running, observer);
    }

    private <R> void streamCopy(StreamObserver<R> observer, RimpCopyOptions options, CopyCall.CopyWork work,
                                Function<RimpCopyProgress, R> progressMessage, Function<RimpCopyResult, R> resultMessage) {
        new CopyCall<>(observer, options, progressMessage, resultMessage).start(work, copySlots, running, executor);
    }

    /** A protobuf Duration in nanoseconds, saturated where it is beyond a long (about 292 years). */
    static long nanos(com.google.protobuf.Duration duration) {
        try {
            return Durations.toNanos(duration);
        } catch (ArithmeticException beyondLong) {
            return duration.getSeconds() < 0 ? Long.MIN_VALUE : Long.MAX_VALUE;
        }
    }

    static RimpCopyResult toProto(CopyOutcome outcome) {
        return RimpCopyResult.newBuilder().setPath(outcome.path().toString()).setMethod(toProto(outcome.method()))
                .setSizeBytes(outcome.sizeBytes()).setCopiedBytes(outcome.copiedBytes())
                .setAllocatedBytes(outcome.allocatedBytes())
                .setDuration(Durations.fromNanos(outcome.duration().toNanos()))
                .setSha256(outcome.sha256()).setSha256ComparedWith(outcome.sha256ComparedWith()).build();
    }

    private static RimpCopyMethod toProto(CopyMethod method) {
        return switch (method) {
            case REFLINK -> RimpCopyMethod.RIMP_COPY_METHOD_REFLINK;
            case SPARSE_COPY -> RimpCopyMethod.RIMP_COPY_METHOD_SPARSE_COPY;
            case SENDFILE_COPY -> RimpCopyMethod.RIMP_COPY_METHOD_SENDFILE_COPY;
            case RENAMED -> RimpCopyMethod.RIMP_COPY_METHOD_RENAMED;
            case KEPT_EXISTING -> RimpCopyMethod.RIMP_COPY_METHOD_KEPT_EXISTING;
        };
    }
}
