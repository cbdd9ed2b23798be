package com.abiquo.aim.storage.grpc;

import static java.util.Objects.requireNonNull;

import com.abiquo.aim.core.error.AimException;
import com.abiquo.aim.core.error.GrpcCalls;
import com.abiquo.aim.core.iscsi.InitiatorName;
import com.abiquo.aim.core.iscsi.Portal;
import com.abiquo.aim.core.spi.StoragePoolOperations.Chap;
import com.abiquo.aim.core.spi.StoragePoolOperations.PoolInfo;
import com.abiquo.aim.core.spi.StoragePoolOperations.PoolSpec;
import com.abiquo.aim.core.spi.StoragePoolOperations.PoolType;
import com.abiquo.aim.core.spi.StoragePoolOperations.VolumeInfo;
import com.abiquo.aim.core.spi.StoragePoolOperations;
import com.abiquo.aim.storage.StorageErrorReason;
import com.abiquo.aim.storage.iscsi.IscsiTargets;
import com.abiquo.aim.storage.iscsi.LibvirtPools;
import com.abiquo.aim.storage.iscsi.TargetRescanner;
import com.abiquo.aim.v1.CreateIscsiPoolRequest;
import com.abiquo.aim.v1.CreateIscsiPoolResponse;
import com.abiquo.aim.v1.DiscoverTargetsRequest;
import com.abiquo.aim.v1.DiscoverTargetsResponse;
import com.abiquo.aim.v1.DiscoveredTarget;
import com.abiquo.aim.v1.GetInitiatorIqnRequest;
import com.abiquo.aim.v1.GetInitiatorIqnResponse;
import com.abiquo.aim.v1.IscsiChap;
import com.abiquo.aim.v1.KernelLun;
import com.abiquo.aim.v1.KernelTargetRescan;
import com.abiquo.aim.v1.ListTargetLunsRequest;
import com.abiquo.aim.v1.ListTargetLunsResponse;
import com.abiquo.aim.v1.PoolTargetRescan;
import com.abiquo.aim.v1.RescanTargetsRequest;
import com.abiquo.aim.v1.RescanTargetsResponse;
import com.abiquo.aim.v1.StoragePool;
import com.abiquo.aim.v1.StoragePoolType;
import com.abiquo.aim.v1.StorageServiceGrpc;
import com.abiquo.aim.v1.StorageVolume;
import com.abiquo.aim.v1.TargetLun;
import com.abiquo.aim.v1.TargetRescan;
import com.abiquo.aim.v1.TargetRescanOutcome;
import io.grpc.Status;
import io.grpc.stub.StreamObserver;
import java.util.Map;
import java.util.Optional;

/** The thin gRPC adapter of {@code abiquo.aim.v1.StorageService}: checks requests, calls the logic, maps results. */
public final class StorageGrpcService extends StorageServiceGrpc.StorageServiceImplBase {
    private final InitiatorName initiatorName;
    private final TargetRescanner rescanner;
    private final IscsiTargets targets;
    private final LibvirtPools pools;

    public StorageGrpcService(InitiatorName initiatorName, TargetRescanner rescanner, IscsiTargets targets,
                              LibvirtPools pools) {
        this.initiatorName = requireNonNull(initiatorName, "initiatorName is null");
        this.rescanner = requireNonNull(rescanner, "rescanner is null");
        this.targets = requireNonNull(targets, "targets is null");
        this.pools = requireNonNull(pools, "pools is null");
    }

    @Override
    public void getInitiatorIqn(GetInitiatorIqnRequest request, StreamObserver<GetInitiatorIqnResponse> observer) {
        GrpcCalls.unary(observer, () -> GetInitiatorIqnResponse.newBuilder()
                .setInitiatorIqn(initiatorName.read())
                .setSourceFile(initiatorName.file().toString())
                .build());
    }

    @Override
    public void rescanTargets(RescanTargetsRequest request, StreamObserver<RescanTargetsResponse> observer) {
        GrpcCalls.unary(observer, () -> {
            RescanTargetsResponse.Builder response = RescanTargetsResponse.newBuilder();
            for (TargetRescanner.TargetRescan result : rescanner.rescan(request.getTargetIqnsList())) {
                TargetRescan.Builder target = TargetRescan.newBuilder()
                        .setTargetIqn(result.targetIqn())
                        .setOutcome(outcome(result.outcome()))
                        .setPoolsError(result.poolsError());
                result.kernel().ifPresent(kernel -> {
                    KernelTargetRescan.Builder builder = KernelTargetRescan.newBuilder()
                            .setRescanned(kernel.rescanned()).setError(kernel.error());
                    kernel.luns().forEach(lun -> builder.addLuns(KernelLun.newBuilder().setLun(lun.lun())
                            .setDevice(lun.device()).setSizeBytes(lun.sizeBytes()).setSession(lun.session())));
                    target.setKernel(builder);
                });
                for (TargetRescanner.PoolRescan pool : result.pools()) {
                    PoolTargetRescan.Builder builder = PoolTargetRescan.newBuilder().setPool(pool.pool())
                            .setRefreshed(pool.refreshed()).setError(pool.error());
                    pool.volumes().forEach(volume -> builder.addVolumes(volume(volume)));
                    target.addPools(builder);
                }
                response.addTargets(target);
            }
            return response.build();
        });
    }

    @Override
    public void createIscsiPool(CreateIscsiPoolRequest request, StreamObserver<CreateIscsiPoolResponse> observer) {
        GrpcCalls.unary(observer, () -> {
            PoolType type = switch (request.getKind()) {
                case ISCSI_POOL_KIND_KERNEL -> PoolType.ISCSI;
                case ISCSI_POOL_KIND_DIRECT -> PoolType.ISCSI_DIRECT;
                default -> throw new AimException(Status.Code.INVALID_ARGUMENT, StorageErrorReason.INVALID_POOL_KIND,
                        "kind must be"
                        + " ISCSI_POOL_KIND_KERNEL or ISCSI_POOL_KIND_DIRECT", Map.of("field", "kind"), null);
            };
            Portal portal = Portal.parse(request.getPortal(), "portal");
            targets.requirePoolSource(portal, request.getTargetIqn(), request.getInitiatorIqn());
            // The kernel initiator logs in with the node's own name unless told otherwise (an explicit initiator
            // makes libvirt create an open-iscsi interface); libiscsi always needs one.
            String initiator = !request.getInitiatorIqn().isEmpty() || type == PoolType.ISCSI
                    ? request.getInitiatorIqn() : initiatorName.read();
            PoolSpec spec = new PoolSpec(request.getName(), type, "", portal.host(), portal.port(), "",
                    request.getTargetIqn(), initiator, chap(request.hasChap(), request.getChap()));
            StoragePoolOperations.PoolOutcome outcome = pools.get().createOrRefresh(spec);
            CreateIscsiPoolResponse.Builder response = CreateIscsiPoolResponse.newBuilder()
                    .setPool(pool(outcome.pool())).setCreated(outcome.created());
            if (outcome.pool().active()) {
                pools.get().listVolumes(outcome.pool().name()).forEach(volume -> response.addVolumes(volume(volume)));
            }
            return response.build();
        });
    }

    @Override
    public void listTargetLuns(ListTargetLunsRequest request, StreamObserver<ListTargetLunsResponse> observer) {
        GrpcCalls.unary(observer, () -> {
            IscsiTargets.LunListing listing = targets.listLuns(request.getPortal(), request.getTargetIqn(),
                    request.getInitiatorIqn(), chap(request.hasChap(), request.getChap()));
            ListTargetLunsResponse.Builder response = ListTargetLunsResponse.newBuilder().setPool(listing.pool());
            listing.luns().forEach(lun -> response.addLuns(TargetLun.newBuilder().setLun(lun.lun())
                    .setVolumeName(lun.volumeName()).setSizeBytes(lun.sizeBytes())));
            return response.build();
        });
    }

    @Override
    public void discoverTargets(DiscoverTargetsRequest request, StreamObserver<DiscoverTargetsResponse> observer) {
        GrpcCalls.unary(observer, () -> {
            IscsiTargets.Discovery discovery = targets.discover(request.getPortal());
            DiscoverTargetsResponse.Builder response = DiscoverTargetsResponse.newBuilder()
                    .setDiscoveredWith(discovery.tool());
            discovery.targets().forEach(target -> response.addTargets(DiscoveredTarget.newBuilder()
                    .setTargetIqn(target.targetIqn()).addAllPortals(target.portals())));
            return response.build();
        });
    }

    private static Optional<Chap> chap(boolean present, IscsiChap chap) {
        return present ? Optional.of(new Chap(chap.getUsername(), chap.getPassword())) : Optional.empty();
    }

    private static TargetRescanOutcome outcome(TargetRescanner.Outcome outcome) {
        return switch (outcome) {
            case RESCANNED -> TargetRescanOutcome.TARGET_RESCAN_OUTCOME_RESCANNED;
            case PARTIAL -> TargetRescanOutcome.TARGET_RESCAN_OUTCOME_PARTIAL;
            case FAILED -> TargetRescanOutcome.TARGET_RESCAN_OUTCOME_FAILED;
            case UNKNOWN_TARGET -> TargetRescanOutcome.TARGET_RESCAN_OUTCOME_UNKNOWN_TARGET;
        };
    }

    static StoragePool pool(PoolInfo info) {
        return StoragePool.newBuilder()
                .setName(info.name()).setUuid(info.uuid()).setType(poolType(info.type())).setActive(info.active())
                .setCapacityBytes(info.capacityBytes()).setAllocationBytes(info.allocationBytes())
                .setAvailableBytes(info.availableBytes()).setTargetPath(info.targetPath())
                .setSourceHost(info.sourceHost()).setSource(info.sourceTarget())
                .build();
    }

    static StorageVolume volume(VolumeInfo volume) {
        return StorageVolume.newBuilder()
                .setPool(volume.pool()).setName(volume.name()).setKey(nonNull(volume.key()))
                .setPath(nonNull(volume.path())).setFormat(nonNull(volume.format()))
                .setCapacityBytes(volume.capacityBytes()).setAllocationBytes(volume.allocationBytes())
                .build();
    }

    private static StoragePoolType poolType(PoolType type) {
        return switch (type) {
            case DIR -> StoragePoolType.STORAGE_POOL_TYPE_DIR;
            case NETFS -> StoragePoolType.STORAGE_POOL_TYPE_NETFS;
            case ISCSI -> StoragePoolType.STORAGE_POOL_TYPE_ISCSI;
            case ISCSI_DIRECT -> StoragePoolType.STORAGE_POOL_TYPE_ISCSI_DIRECT;
        };
    }

    private static String nonNull(String value) {
        return value == null ? "" : value;
    }
}
