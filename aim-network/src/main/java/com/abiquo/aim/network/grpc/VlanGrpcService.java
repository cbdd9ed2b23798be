package com.abiquo.aim.network.grpc;

import static java.util.Objects.requireNonNull;

import com.abiquo.aim.core.error.GrpcCalls;
import com.abiquo.aim.network.BridgeState;
import com.abiquo.aim.network.VlanChange;
import com.abiquo.aim.network.VlanManager;
import com.abiquo.aim.network.VlanSpec;
import com.abiquo.aim.network.VlanState;
import com.abiquo.aim.v1.CheckVlanConfigurationRequest;
import com.abiquo.aim.v1.CheckVlanConfigurationResponse;
import com.abiquo.aim.v1.CreateVlanRequest;
import com.abiquo.aim.v1.CreateVlanResponse;
import com.abiquo.aim.v1.DeleteVlanRequest;
import com.abiquo.aim.v1.DeleteVlanResponse;
import com.abiquo.aim.v1.ListVlansRequest;
import com.abiquo.aim.v1.ListVlansResponse;
import com.abiquo.aim.v1.ManagedBridge;
import com.abiquo.aim.v1.ManagedVlan;
import com.abiquo.aim.v1.RestoreVlansRequest;
import com.abiquo.aim.v1.RestoreVlansResponse;
import com.abiquo.aim.v1.RestoredVlan;
import com.abiquo.aim.v1.VlanChangeKind;
import com.abiquo.aim.v1.VlanCheck;
import com.abiquo.aim.v1.VlanCheckKind;
import com.abiquo.aim.v1.VlanServiceGrpc;
import io.grpc.stub.StreamObserver;
import java.util.List;

/** Thin gRPC adapter: validates the request into a {@link VlanSpec}, calls {@link VlanManager}, maps the result. */
public final class VlanGrpcService extends VlanServiceGrpc.VlanServiceImplBase {
    private final VlanManager manager;

    public VlanGrpcService(VlanManager manager) {
        this.manager = requireNonNull(manager, "manager is null");
    }

    @Override
    public void createVlan(CreateVlanRequest request, StreamObserver<CreateVlanResponse> observer) {
        GrpcCalls.unary(observer, () -> {
            VlanSpec spec = VlanSpec.of(Integer.toUnsignedLong(request.getTag()), request.getParentInterface(),
                    request.getBridge());
            VlanManager.CreateResult result = manager.create(spec);
            return CreateVlanResponse.newBuilder().setVlan(vlan(result.vlan()))
                    .addAllChanges(changes(result.changes())).build();
        });
    }

    @Override
    public void deleteVlan(DeleteVlanRequest request, StreamObserver<DeleteVlanResponse> observer) {
        GrpcCalls.unary(observer, () -> {
            VlanSpec spec = VlanSpec.of(Integer.toUnsignedLong(request.getTag()), request.getParentInterface(),
                    request.getBridge());
            VlanManager.DeleteResult result = manager.delete(spec, request.getForce());
            return DeleteVlanResponse.newBuilder().addAllChanges(changes(result.changes()))
                    .addAllDetachedPorts(result.detachedPorts()).setBridgeKept(result.bridgeKept()).build();
        });
    }

    @Override
    public void checkVlanConfiguration(CheckVlanConfigurationRequest request,
                                       StreamObserver<CheckVlanConfigurationResponse> observer) {
        GrpcCalls.unary(observer, () -> {
            List<VlanManager.Check> checks = manager.check();
            CheckVlanConfigurationResponse.Builder response = CheckVlanConfigurationResponse.newBuilder()
                    .setReady(checks.stream().allMatch(VlanManager.Check::ok));
            for (VlanManager.Check check : checks) {
                response.addChecks(VlanCheck.newBuilder().setKind(kind(check.kind())).setOk(check.ok())
                        .setDetail(check.detail()));
            }
            return response.build();
        });
    }

    @Override
    public void listVlans(ListVlansRequest request, StreamObserver<ListVlansResponse> observer) {
        GrpcCalls.unary(observer, () -> {
            VlanManager.Listing listing = manager.list();
            ListVlansResponse.Builder response = ListVlansResponse.newBuilder();
            listing.vlans().forEach(state -> response.addVlans(vlan(state)));
            for (BridgeState bridge : listing.bridges()) {
                response.addBridges(ManagedBridge.newBuilder().setName(bridge.name()).setFileName(bridge.fileName())
                        .setLinkPresent(bridge.linkPresent()).setUp(bridge.up()).setOperState(bridge.operState())
                        .addAllPorts(bridge.ports()));
            }
            return response.build();
        });
    }

    @Override
    public void restoreVlans(RestoreVlansRequest request, StreamObserver<RestoreVlansResponse> observer) {
        GrpcCalls.unary(observer, () -> {
            VlanManager.RestoreResult result = manager.restore();
            RestoreVlansResponse.Builder response = RestoreVlansResponse.newBuilder()
                    .addAllUnreadableFiles(result.unreadableFiles());
            for (VlanManager.Restored restored : result.results()) {
                response.addResults(RestoredVlan.newBuilder().setDevice(restored.device())
                        .setBridge(restored.bridge()).addAllChanges(changes(restored.changes()))
                        .setError(restored.error()));
            }
            return response.build();
        });
    }

    private static ManagedVlan vlan(VlanState state) {
        return ManagedVlan.newBuilder().setTag(state.spec().tag()).setParentInterface(state.spec().parent())
                .setDevice(state.spec().device()).setBridge(state.spec().bridge()).setFileName(state.fileName())
                .setLinkPresent(state.linkPresent()).setUp(state.up()).setOperState(state.operState())
                .setAttached(state.attached()).setParentPresent(state.parentPresent()).setBridgeUp(state.bridgeUp())
                .build();
    }

    private static List<com.abiquo.aim.v1.VlanChange> changes(List<VlanChange> changes) {
        return changes.stream().map(change -> com.abiquo.aim.v1.VlanChange.newBuilder()
                .setKind(kind(change.kind())).setTarget(change.target()).build()).toList();
    }

    private static VlanChangeKind kind(VlanChange.Kind kind) {
        return switch (kind) {
            case BRIDGE_CREATED -> VlanChangeKind.VLAN_CHANGE_KIND_BRIDGE_CREATED;
            case LINK_UP -> VlanChangeKind.VLAN_CHANGE_KIND_LINK_UP;
            case VLAN_CREATED -> VlanChangeKind.VLAN_CHANGE_KIND_VLAN_CREATED;
            case VLAN_ATTACHED -> VlanChangeKind.VLAN_CHANGE_KIND_VLAN_ATTACHED;
            case FILE_WRITTEN -> VlanChangeKind.VLAN_CHANGE_KIND_FILE_WRITTEN;
            case VLAN_DELETED -> VlanChangeKind.VLAN_CHANGE_KIND_VLAN_DELETED;
            case BRIDGE_DELETED -> VlanChangeKind.VLAN_CHANGE_KIND_BRIDGE_DELETED;
            case FILE_REMOVED -> VlanChangeKind.VLAN_CHANGE_KIND_FILE_REMOVED;
            case IFUP_RUN -> VlanChangeKind.VLAN_CHANGE_KIND_IFUP_RUN;
        };
    }

    private static VlanCheckKind kind(VlanManager.CheckKind kind) {
        return switch (kind) {
            case IP_TOOL -> VlanCheckKind.VLAN_CHECK_KIND_IP_TOOL;
            case NAMESPACE -> VlanCheckKind.VLAN_CHECK_KIND_NAMESPACE;
            case VLAN_SUPPORT -> VlanCheckKind.VLAN_CHECK_KIND_VLAN_SUPPORT;
            case BRIDGE_SUPPORT -> VlanCheckKind.VLAN_CHECK_KIND_BRIDGE_SUPPORT;
            case SCRIPTS_FOLDER -> VlanCheckKind.VLAN_CHECK_KIND_SCRIPTS_FOLDER;
            case IFUP_TOOLS -> VlanCheckKind.VLAN_CHECK_KIND_IFUP_TOOLS;
        };
    }
}
