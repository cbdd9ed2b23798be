package com.abiquo.aim.libvirt.service;

import static java.util.Objects.requireNonNull;

import com.abiquo.aim.core.error.AimException;
import com.abiquo.aim.core.error.GrpcCalls;
import com.abiquo.aim.core.spi.StoragePoolOperations;
import com.abiquo.aim.libvirt.LibvirtErrorReason;
import com.abiquo.aim.libvirt.connection.DomainStates;
import com.abiquo.aim.libvirt.domain.BlockInfo;
import com.abiquo.aim.libvirt.domain.DomainOperations;
import com.abiquo.aim.libvirt.domain.DomainSelector;
import com.abiquo.aim.libvirt.domain.DomainSummary;
import com.abiquo.aim.libvirt.domain.Undefined;
import com.abiquo.aim.libvirt.metrics.MetricsStore;
import com.abiquo.aim.libvirt.node.NodeFacts;
import com.abiquo.aim.libvirt.node.NodeInfoReader;
import com.abiquo.aim.v1.CreateDiskRequest;
import com.abiquo.aim.v1.CreateDiskResponse;
import com.abiquo.aim.v1.CreateStoragePoolRequest;
import com.abiquo.aim.v1.CreateStoragePoolResponse;
import com.abiquo.aim.v1.DefineDomainRequest;
import com.abiquo.aim.v1.DefineDomainResponse;
import com.abiquo.aim.v1.DeleteDiskRequest;
import com.abiquo.aim.v1.DeleteDiskResponse;
import com.abiquo.aim.v1.DeleteStoragePoolRequest;
import com.abiquo.aim.v1.DeleteStoragePoolResponse;
import com.abiquo.aim.v1.DomainBlockInfo;
import com.abiquo.aim.v1.DomainDatapoint;
import com.abiquo.aim.v1.DomainExistsRequest;
import com.abiquo.aim.v1.DomainExistsResponse;
import com.abiquo.aim.v1.DomainMeasure;
import com.abiquo.aim.v1.DomainMetric;
import com.abiquo.aim.v1.DomainRef;
import com.abiquo.aim.v1.DomainState;
import com.abiquo.aim.v1.GetDatapointsRequest;
import com.abiquo.aim.v1.GetDatapointsResponse;
import com.abiquo.aim.v1.GetDomainBlockInfoRequest;
import com.abiquo.aim.v1.GetDomainBlockInfoResponse;
import com.abiquo.aim.v1.GetDomainInfoRequest;
import com.abiquo.aim.v1.GetDomainInfoResponse;
import com.abiquo.aim.v1.GetDomainStateRequest;
import com.abiquo.aim.v1.GetDomainStateResponse;
import com.abiquo.aim.v1.GetNodeInfoRequest;
import com.abiquo.aim.v1.GetNodeInfoResponse;
import com.abiquo.aim.v1.GetStoragePoolRequest;
import com.abiquo.aim.v1.GetStoragePoolResponse;
import com.abiquo.aim.v1.LibvirtDomainInfo;
import com.abiquo.aim.v1.LibvirtServiceGrpc;
import com.abiquo.aim.v1.ListDomainsRequest;
import com.abiquo.aim.v1.ListDomainsResponse;
import com.abiquo.aim.v1.ListStoragePoolsRequest;
import com.abiquo.aim.v1.ListStoragePoolsResponse;
import com.abiquo.aim.v1.ListStorageVolumesRequest;
import com.abiquo.aim.v1.ListStorageVolumesResponse;
import com.abiquo.aim.v1.PauseDomainRequest;
import com.abiquo.aim.v1.PauseDomainResponse;
import com.abiquo.aim.v1.PowerOffDomainRequest;
import com.abiquo.aim.v1.PowerOffDomainResponse;
import com.abiquo.aim.v1.PowerOnDomainRequest;
import com.abiquo.aim.v1.PowerOnDomainResponse;
import com.abiquo.aim.v1.ResetDomainRequest;
import com.abiquo.aim.v1.ResetDomainResponse;
import com.abiquo.aim.v1.ResizeDomainDiskRequest;
import com.abiquo.aim.v1.ResizeDomainDiskResponse;
import com.abiquo.aim.v1.ResizeVolumeRequest;
import com.abiquo.aim.v1.ResizeVolumeResponse;
import com.abiquo.aim.v1.ResumeDomainRequest;
import com.abiquo.aim.v1.ResumeDomainResponse;
import com.abiquo.aim.v1.ShutdownDomainRequest;
import com.abiquo.aim.v1.ShutdownDomainResponse;
import com.abiquo.aim.v1.UndefineDomainRequest;
import com.abiquo.aim.v1.UndefineDomainResponse;
import com.abiquo.aim.v1.WakeUpDomainRequest;
import com.abiquo.aim.v1.WakeUpDomainResponse;
import com.google.protobuf.Timestamp;
import com.google.protobuf.util.Durations;
import com.google.protobuf.util.Timestamps;
import io.grpc.Status;
import io.grpc.stub.StreamObserver;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.function.Supplier;

/**
 * The thin gRPC adapter of {@code abiquo.aim.v1.LibvirtService}: validates requests, calls the plain logic
 * (domains, node, metrics) or the node's {@link StoragePoolOperations}, maps results.
 */
public final class LibvirtGrpcService extends LibvirtServiceGrpc.LibvirtServiceImplBase {
    private final DomainOperations domains;
    private final NodeInfoReader node;
    private final MetricsStore metrics;
    private final Duration collectInterval;
    private final StorageRpcs storage;

    /**
     * @param storage the node's pools (aim-libvirt's own); empty serves the pool and disk RPCs as UNAVAILABLE
     */
    public LibvirtGrpcService(DomainOperations domains, NodeInfoReader node, MetricsStore metrics,
                              Duration collectInterval, Supplier<Optional<StoragePoolOperations>> storage) {
        this.domains = requireNonNull(domains, "domains is null");
        this.node = requireNonNull(node, "node is null");
        this.metrics = requireNonNull(metrics, "metrics is null");
        this.collectInterval = requireNonNull(collectInterval, "collectInterval is null");
        this.storage = new StorageRpcs(storage);
    }

    @Override
    public void getNodeInfo(GetNodeInfoRequest request, StreamObserver<GetNodeInfoResponse> observer) {
        GrpcCalls.unary(observer, () -> {
            NodeFacts facts = node.read();
            return GetNodeInfoResponse.newBuilder()
                    .setHostname(facts.hostname())
                    .setLibvirtVersion(facts.libvirtVersion())
                    .setHypervisorType(facts.hypervisorType())
                    .setHypervisorVersion(facts.hypervisorVersion())
                    .setCores(facts.cores())
                    .setSockets(facts.sockets())
                    .setNumaCells(facts.numaCells())
                    .setCoresPerSocket(facts.coresPerSocket())
                    .setThreadsPerCore(facts.threadsPerCore())
                    .setLogicalCpus(facts.logicalCpus())
                    .setCpuMhz(facts.cpuMhz())
                    .setCpuModel(facts.cpuModel())
                    .setCpuArchitecture(facts.cpuArchitecture())
                    .setMemoryBytes(facts.memoryBytes())
                    .setFreeMemoryBytes(facts.freeMemoryBytes())
                    .setUri(facts.uri())
                    .build();
        });
    }

    @Override
    public void defineDomain(DefineDomainRequest request, StreamObserver<DefineDomainResponse> observer) {
        GrpcCalls.unary(observer, () -> {
            DomainOperations.Defined defined = domains.define(request.getXml());
            return DefineDomainResponse.newBuilder().setDomain(toProto(defined.domain()))
                    .setCreated(defined.created()).build();
        });
    }

    @Override
    public void undefineDomain(UndefineDomainRequest request, StreamObserver<UndefineDomainResponse> observer) {
        GrpcCalls.unary(observer, () -> {
            Undefined undefined = domains.undefine(selector(request.hasDomain(), request.getDomain()));
            return UndefineDomainResponse.newBuilder().setStillRunning(undefined.stillRunning())
                    .setFound(undefined.found()).build();
        });
    }

    @Override
    public void domainExists(DomainExistsRequest request, StreamObserver<DomainExistsResponse> observer) {
        GrpcCalls.unaryLater(observer, () -> domains.findLater(selector(request.hasDomain(), request.getDomain()))
                .thenApply(found -> {
                    DomainExistsResponse.Builder response = DomainExistsResponse.newBuilder()
                            .setExists(found.isPresent());
                    found.ifPresent(domain -> response.setUuid(domain.uuid()).setName(domain.name()));
                    return response.build();
                }));
    }

    @Override
    public void getDomainState(GetDomainStateRequest request, StreamObserver<GetDomainStateResponse> observer) {
        GrpcCalls.unaryLater(observer, () -> domains.stateLater(selector(request.hasDomain(), request.getDomain()))
                .thenApply(libvirtState -> GetDomainStateResponse.newBuilder().setState(state(libvirtState)).build()));
    }

    @Override
    public void getDomainInfo(GetDomainInfoRequest request, StreamObserver<GetDomainInfoResponse> observer) {
        GrpcCalls.unaryLater(observer, () -> domains.infoLater(selector(request.hasDomain(), request.getDomain()))
                .thenApply(domain -> GetDomainInfoResponse.newBuilder().setDomain(toProto(domain)).build()));
    }

    @Override
    public void listDomains(ListDomainsRequest request, StreamObserver<ListDomainsResponse> observer) {
        GrpcCalls.unary(observer, () -> {
            ListDomainsResponse.Builder response = ListDomainsResponse.newBuilder();
            for (DomainSummary domain : domains.list(request.getIncludeXml())) {
                response.addDomains(toProto(domain));
            }
            return response.build();
        });
    }

    @Override
    public void powerOnDomain(PowerOnDomainRequest request, StreamObserver<PowerOnDomainResponse> observer) {
        GrpcCalls.unary(observer, () -> PowerOnDomainResponse.newBuilder()
                .setState(state(domains.powerOn(selector(request.hasDomain(), request.getDomain())))).build());
    }

    @Override
    public void powerOffDomain(PowerOffDomainRequest request, StreamObserver<PowerOffDomainResponse> observer) {
        GrpcCalls.unary(observer, () -> PowerOffDomainResponse.newBuilder()
                .setState(state(domains.powerOff(selector(request.hasDomain(), request.getDomain())))).build());
    }

    @Override
    public void shutdownDomain(ShutdownDomainRequest request, StreamObserver<ShutdownDomainResponse> observer) {
        GrpcCalls.unary(observer, () -> {
            DomainSelector selector = selector(request.hasDomain(), request.getDomain());
            Duration timeout = Duration.ZERO;
            if (request.hasTimeout()) {
                if (!Durations.isValid(request.getTimeout())) {
                    throw AimException.invalidArgument(LibvirtErrorReason.SHUTDOWN_TIMEOUT_INVALID, "timeout is not a valid duration");
                }
                timeout = Duration.ofSeconds(request.getTimeout().getSeconds(), request.getTimeout().getNanos());
            }
            DomainOperations.ShutdownOutcome outcome = domains.shutdown(selector, timeout);
            return ShutdownDomainResponse.newBuilder().setState(state(outcome.state())).setForced(outcome.forced())
                    .build();
        });
    }

    @Override
    public void resetDomain(ResetDomainRequest request, StreamObserver<ResetDomainResponse> observer) {
        GrpcCalls.unary(observer, () -> ResetDomainResponse.newBuilder()
                .setState(state(domains.reset(selector(request.hasDomain(), request.getDomain())))).build());
    }

    @Override
    public void pauseDomain(PauseDomainRequest request, StreamObserver<PauseDomainResponse> observer) {
        GrpcCalls.unary(observer, () -> PauseDomainResponse.newBuilder()
                .setState(state(domains.pause(selector(request.hasDomain(), request.getDomain())))).build());
    }

    @Override
    public void resumeDomain(ResumeDomainRequest request, StreamObserver<ResumeDomainResponse> observer) {
        GrpcCalls.unary(observer, () -> ResumeDomainResponse.newBuilder()
                .setState(state(domains.resume(selector(request.hasDomain(), request.getDomain())))).build());
    }

    @Override
    public void wakeUpDomain(WakeUpDomainRequest request, StreamObserver<WakeUpDomainResponse> observer) {
        GrpcCalls.unary(observer, () -> WakeUpDomainResponse.newBuilder()
                .setState(state(domains.wakeUp(selector(request.hasDomain(), request.getDomain())))).build());
    }

    @Override
    public void createStoragePool(CreateStoragePoolRequest request,
                                  StreamObserver<CreateStoragePoolResponse> observer) {
        GrpcCalls.unary(observer, () -> storage.createStoragePool(request));
    }

    @Override
    public void getStoragePool(GetStoragePoolRequest request, StreamObserver<GetStoragePoolResponse> observer) {
        GrpcCalls.unary(observer, () -> storage.getStoragePool(request));
    }

    @Override
    public void listStoragePools(ListStoragePoolsRequest request,
                                 StreamObserver<ListStoragePoolsResponse> observer) {
        GrpcCalls.unary(observer, storage::listStoragePools);
    }

    @Override
    public void deleteStoragePool(DeleteStoragePoolRequest request,
                                  StreamObserver<DeleteStoragePoolResponse> observer) {
        GrpcCalls.unary(observer, () -> storage.deleteStoragePool(request));
    }

    @Override
    public void listStorageVolumes(ListStorageVolumesRequest request,
                                   StreamObserver<ListStorageVolumesResponse> observer) {
        GrpcCalls.unary(observer, () -> storage.listStorageVolumes(request));
    }

    @Override
    public void createDisk(CreateDiskRequest request, StreamObserver<CreateDiskResponse> observer) {
        GrpcCalls.unary(observer, () -> storage.createDisk(request));
    }

    @Override
    public void deleteDisk(DeleteDiskRequest request, StreamObserver<DeleteDiskResponse> observer) {
        GrpcCalls.unary(observer, () -> storage.deleteDisk(request));
    }

    @Override
    public void resizeVolume(ResizeVolumeRequest request, StreamObserver<ResizeVolumeResponse> observer) {
        GrpcCalls.unary(observer, () -> storage.resizeVolume(request));
    }

    @Override
    public void resizeDomainDisk(ResizeDomainDiskRequest request, StreamObserver<ResizeDomainDiskResponse> observer) {
        GrpcCalls.unary(observer, () -> {
            DomainSelector selector = selector(request.hasDomain(), request.getDomain());
            long capacity = StorageRequests.bytes(request.getCapacityBytes(), "capacity_bytes", false);
            return ResizeDomainDiskResponse.newBuilder()
                    .setBlock(toProto(domains.resizeDisk(selector, request.getDisk(), capacity))).build();
        });
    }

    @Override
    public void getDomainBlockInfo(GetDomainBlockInfoRequest request,
                                   StreamObserver<GetDomainBlockInfoResponse> observer) {
        GrpcCalls.unary(observer, () -> GetDomainBlockInfoResponse.newBuilder()
                .setBlock(toProto(domains.blockInfo(selector(request.hasDomain(), request.getDomain()),
                        request.getDisk()))).build());
    }

    @Override
    public void getDatapoints(GetDatapointsRequest request, StreamObserver<GetDatapointsResponse> observer) {
        GrpcCalls.unary(observer, () -> {
            DomainSelector selector = selector(request.hasDomain(), request.getDomain());
            long since = 0;
            if (request.hasSince()) {
                since = sinceMillis(request.getSince());
            }
            DomainSummary domain = domains.find(selector).orElseThrow(() -> AimException.notFound(
                    LibvirtErrorReason.DOMAIN_NOT_FOUND, selector.describe() + " does not exist"));
            GetDatapointsResponse.Builder response = GetDatapointsResponse.newBuilder().setUuid(domain.uuid())
                    .setName(domain.name()).setCollectInterval(Durations.fromNanos(collectInterval.toNanos()));
            for (MetricsStore.Measure measure : metrics.query(domain.uuid(), since)) {
                DomainMeasure.Builder proto = DomainMeasure.newBuilder()
                        .setMetric(DomainMetric.valueOf("DOMAIN_METRIC_" + measure.kind().name()))
                        .putAllDimensions(measure.dimensions());
                for (MetricsStore.Datapoint point : measure.datapoints()) {
                    proto.addDatapoints(DomainDatapoint.newBuilder().setValue(point.value())
                            .setTime(Timestamps.fromMillis(point.epochMillis())));
                }
                response.addMeasures(proto);
            }
            return response.build();
        });
    }

    /** Timestamp's valid range (as {@link Timestamps#isValid} checks it), for messages. */
    static final long MIN_TIMESTAMP_SECONDS = -62_135_596_800L;
    static final long MAX_TIMESTAMP_SECONDS = 253_402_300_799L;

    /** A valid Timestamp in epoch milliseconds (within the valid range, seconds * 1000 cannot overflow). */
    static long sinceMillis(Timestamp timestamp) throws AimException {
        if (!Timestamps.isValid(timestamp)) {
            throw new AimException(Status.Code.INVALID_ARGUMENT, LibvirtErrorReason.SINCE_INVALID, "since is not a valid timestamp"
                    + " (seconds " + timestamp.getSeconds() + ", nanos " + timestamp.getNanos() + "): seconds must be"
                    + " from " + MIN_TIMESTAMP_SECONDS + " to " + MAX_TIMESTAMP_SECONDS + " (years 1 to 9999) and"
                    + " nanos from 0 to 999999999", Map.of("field", "since"), null);
        }
        return Timestamps.toMillis(timestamp);
    }

    static DomainSelector selector(boolean present, DomainRef ref) throws AimException {
        if (!present) {
            throw AimException.invalidArgument(LibvirtErrorReason.DOMAIN_MISSING, "domain is required (uuid or name)");
        }
        return switch (ref.getRefCase()) {
            case UUID -> DomainSelector.byUuid(ref.getUuid());
            case NAME -> DomainSelector.byName(ref.getName());
            case REF_NOT_SET -> throw AimException.invalidArgument(LibvirtErrorReason.DOMAIN_MISSING,
                    "domain is required: set domain.uuid or domain.name");
        };
    }

    /** libvirt's virDomainState (0 NOSTATE .. 7 PMSUSPENDED, -1 gone) to the proto enum. */
    static DomainState state(int state) {
        return switch (state) {
            case DomainStates.GONE -> DomainState.DOMAIN_STATE_UNDEFINED;
            case DomainStates.NOSTATE -> DomainState.DOMAIN_STATE_NOSTATE;
            case DomainStates.RUNNING -> DomainState.DOMAIN_STATE_RUNNING;
            case DomainStates.BLOCKED -> DomainState.DOMAIN_STATE_BLOCKED;
            case DomainStates.PAUSED -> DomainState.DOMAIN_STATE_PAUSED;
            case DomainStates.SHUTDOWN -> DomainState.DOMAIN_STATE_SHUTDOWN;
            case DomainStates.SHUTOFF -> DomainState.DOMAIN_STATE_SHUTOFF;
            case DomainStates.CRASHED -> DomainState.DOMAIN_STATE_CRASHED;
            case DomainStates.PMSUSPENDED -> DomainState.DOMAIN_STATE_PMSUSPENDED;
            default -> DomainState.DOMAIN_STATE_NOSTATE;
        };
    }

    private static LibvirtDomainInfo toProto(DomainSummary domain) {
        return LibvirtDomainInfo.newBuilder()
                .setUuid(domain.uuid())
                .setName(domain.name())
                .setState(state(domain.state()))
                .setVcpus(domain.vcpus())
                .setMemoryBytes(domain.memoryBytes())
                .setMaxMemoryBytes(domain.maxMemoryBytes())
                .setPersistent(domain.persistent())
                .setXml(domain.xml())
                .build();
    }

    private static DomainBlockInfo toProto(BlockInfo block) {
        return DomainBlockInfo.newBuilder()
                .setCapacityBytes(block.capacityBytes())
                .setAllocationBytes(block.allocationBytes())
                .setPhysicalBytes(block.physicalBytes())
                .setPath(block.path())
                .setTarget(block.target())
                .build();
    }
}
