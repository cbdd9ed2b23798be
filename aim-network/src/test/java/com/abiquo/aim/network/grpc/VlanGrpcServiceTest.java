package com.abiquo.aim.network.grpc;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.abiquo.aim.core.command.CommandRunner;
import com.abiquo.aim.network.IfcfgFiles;
import com.abiquo.aim.network.IpTool;
import com.abiquo.aim.network.VlanManager;
import com.abiquo.aim.network.VlanSpec;
import com.abiquo.aim.testing.RecordingHealth;
import com.abiquo.aim.v1.CheckVlanConfigurationRequest;
import com.abiquo.aim.v1.CheckVlanConfigurationResponse;
import com.abiquo.aim.v1.CreateVlanRequest;
import com.abiquo.aim.v1.DeleteVlanRequest;
import com.abiquo.aim.v1.DeleteVlanResponse;
import com.abiquo.aim.v1.ListVlansRequest;
import com.abiquo.aim.v1.ListVlansResponse;
import com.abiquo.aim.v1.RestoreVlansRequest;
import com.abiquo.aim.v1.VlanChangeKind;
import com.abiquo.aim.v1.VlanCheckKind;
import com.abiquo.aim.v1.VlanServiceGrpc;
import com.google.rpc.ErrorInfo;
import io.grpc.ManagedChannel;
import io.grpc.Server;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.inprocess.InProcessChannelBuilder;
import io.grpc.inprocess.InProcessServerBuilder;
import io.grpc.protobuf.StatusProto;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The adapter through a real stub over an in-process channel, on a real manager in a namespace made here. */
@Tag("system")
class VlanGrpcServiceTest {
    private static final RecordingHealth NO_HEALTH = new RecordingHealth(); // not checked here

    @TempDir
    Path scripts;
    String namespace = "aimnet-grpc-" + ProcessHandle.current().pid();
    Server server;
    ManagedChannel channel;
    VlanServiceGrpc.VlanServiceBlockingStub stub;
    CommandRunner runner = new CommandRunner();

    @BeforeEach
    void start() throws Exception {
        ip("netns", "add", namespace);
        String name = InProcessServerBuilder.generateName();
        VlanManager manager = new VlanManager(new IpTool(runner, Optional.of(namespace), Duration.ofSeconds(10)),
                new IfcfgFiles(scripts), NO_HEALTH, VlanManager.Ifup.off());
        manager.startUp(false);
        server = InProcessServerBuilder.forName(name).directExecutor().addService(new VlanGrpcService(manager))
                .build().start();
        channel = InProcessChannelBuilder.forName(name).directExecutor().build();
        stub = VlanServiceGrpc.newBlockingStub(channel);
    }

    @AfterEach
    void stop() throws Exception {
        channel.shutdownNow();
        server.shutdownNow();
        ip("netns", "delete", namespace);
    }

    @Test
    void badNamesAndTagsAreInvalidArgumentNamingTheField() {
        StatusRuntimeException tag = assertThrows(StatusRuntimeException.class, () -> stub.createVlan(
                CreateVlanRequest.newBuilder().setTag(-1).setParentInterface("eth0").setBridge("abiquo_5").build()));
        assertEquals(Status.Code.INVALID_ARGUMENT, tag.getStatus().getCode());
        assertTrue(tag.getStatus().getDescription().contains("4294967295"), tag.getStatus().getDescription());
        assertEquals("INVALID_VLAN_TAG", errorInfo(tag).getReason());

        StatusRuntimeException name = assertThrows(StatusRuntimeException.class, () -> stub.deleteVlan(
                DeleteVlanRequest.newBuilder().setTag(5).setParentInterface("eth0").setBridge("br0;reboot").build()));
        assertEquals(Status.Code.INVALID_ARGUMENT, name.getStatus().getCode());
        assertEquals("bridge", errorInfo(name).getMetadataMap().get("field"));
    }

    @Test
    void aBridgeNamedLikeAnotherVlansFileIsRefusedAndThatFileStays() throws Exception {
        // VLAN 6 on eth0 is AIM's; "abiquo_eth0.6" as a bridge would make ifcfg-abiquo_eth0.6 the bridge's file
        String vlan6 = IfcfgFiles.vlanContent(VlanSpec.of(6, "eth0", "abiquo_6"));
        new IfcfgFiles(scripts).write("ifcfg-abiquo_eth0.6", vlan6);
        StatusRuntimeException delete = assertThrows(StatusRuntimeException.class, () -> stub.deleteVlan(
                DeleteVlanRequest.newBuilder().setTag(5).setParentInterface("eth0").setBridge("abiquo_eth0.6")
                        .build()));
        StatusRuntimeException create = assertThrows(StatusRuntimeException.class, () -> stub.createVlan(
                CreateVlanRequest.newBuilder().setTag(5).setParentInterface("eth0").setBridge("abiquo_eth0.6")
                        .build()));
        for (StatusRuntimeException refused : List.of(delete, create)) {
            assertEquals(Status.Code.INVALID_ARGUMENT, refused.getStatus().getCode());
            assertEquals("bridge", errorInfo(refused).getMetadataMap().get("field"));
        }
        assertEquals(vlan6, Files.readString(scripts.resolve("ifcfg-abiquo_eth0.6")));
    }

    @Test
    void aFailedStepIsFailedPreconditionWithTheStepAndNothingLeft() throws Exception {
        StatusRuntimeException failure = assertThrows(StatusRuntimeException.class, () -> stub.createVlan(
                CreateVlanRequest.newBuilder().setTag(5).setParentInterface("lo").setBridge("abiquo_5").build()));
        assertEquals(Status.Code.FAILED_PRECONDITION, failure.getStatus().getCode());
        ErrorInfo info = errorInfo(failure);
        assertEquals("VLAN_STEP_FAILED", info.getReason());
        assertEquals("create VLAN interface lo.5 (tag 5 on lo)", info.getMetadataMap().get("step"));
        try (var files = Files.list(scripts)) {
            assertEquals(0, files.count());
        }
        assertFalse(runner.run(List.of("ip", "-n", namespace, "link", "show", "abiquo_5"), Duration.ofSeconds(5))
                .succeeded());
    }

    @Test
    void deleteListRestoreAndCheckAnswer() throws Exception {
        ip("-n", namespace, "link", "add", "name", "abiquo_5", "type", "bridge");
        new IfcfgFiles(scripts).write("ifcfg-abiquo_5", "# Autogenerated by Abiquo AIM\n\nDEVICE=abiquo_5\n"
                + "TYPE=Bridge\nBOOTPROTO=none\nONBOOT=yes\n");
        new IfcfgFiles(scripts).write("ifcfg-abiquo_eth0.5", "# Autogenerated by Abiquo AIM\n\nVLAN=yes\n"
                + "DEVICE=eth0.5\nBOOTPROTO=none\nONBOOT=yes\nBRIDGE=abiquo_5\n");

        ListVlansResponse listed = stub.listVlans(ListVlansRequest.getDefaultInstance());
        assertEquals(1, listed.getVlansCount());
        assertEquals("eth0.5", listed.getVlans(0).getDevice());
        assertEquals(5, listed.getVlans(0).getTag());
        assertFalse(listed.getVlans(0).getLinkPresent());
        assertEquals("abiquo_5", listed.getBridges(0).getName());
        assertTrue(listed.getBridges(0).getLinkPresent());

        assertEquals(1, stub.restoreVlans(RestoreVlansRequest.getDefaultInstance()).getResultsCount());

        DeleteVlanResponse deleted = stub.deleteVlan(DeleteVlanRequest.newBuilder().setTag(5)
                .setParentInterface("eth0").setBridge("abiquo_5").build());
        assertEquals(List.of(VlanChangeKind.VLAN_CHANGE_KIND_BRIDGE_DELETED,
                VlanChangeKind.VLAN_CHANGE_KIND_FILE_REMOVED, VlanChangeKind.VLAN_CHANGE_KIND_FILE_REMOVED),
                deleted.getChangesList().stream().map(c -> c.getKind()).toList());
        assertEquals(0, stub.deleteVlan(DeleteVlanRequest.newBuilder().setTag(5).setParentInterface("eth0")
                .setBridge("abiquo_5").build()).getChangesCount());

        CheckVlanConfigurationResponse check = stub.checkVlanConfiguration(
                CheckVlanConfigurationRequest.getDefaultInstance());
        assertTrue(check.getChecksList().stream().anyMatch(c -> c.getKind() == VlanCheckKind.VLAN_CHECK_KIND_IP_TOOL
                && c.getOk()));
        assertTrue(check.getChecksList().stream().noneMatch(c -> c.getKind()
                == VlanCheckKind.VLAN_CHECK_KIND_UNSPECIFIED));
    }

    private void ip(String... arguments) throws Exception {
        List<String> command = new java.util.ArrayList<>(List.of("ip"));
        command.addAll(List.of(arguments));
        assertTrue(runner.run(command, Duration.ofSeconds(10)).succeeded(), String.join(" ", command));
    }

    private static ErrorInfo errorInfo(StatusRuntimeException failure) {
        try {
            return StatusProto.fromThrowable(failure).getDetails(0).unpack(ErrorInfo.class);
        } catch (com.google.protobuf.InvalidProtocolBufferException bad) {
            throw new AssertionError(bad);
        }
    }
}
