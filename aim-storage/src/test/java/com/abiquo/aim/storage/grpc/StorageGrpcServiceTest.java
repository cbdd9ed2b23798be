package com.abiquo.aim.storage.grpc;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.abiquo.aim.v1.CreateIscsiPoolRequest;
import com.abiquo.aim.v1.GetInitiatorIqnRequest;
import com.abiquo.aim.v1.GetInitiatorIqnResponse;
import com.abiquo.aim.v1.IscsiPoolKind;
import com.abiquo.aim.v1.ListTargetLunsRequest;
import com.abiquo.aim.v1.RescanTargetsRequest;
import com.google.rpc.ErrorInfo;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.protobuf.StatusProto;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;
import org.junit.jupiter.api.io.TempDir;

/** The adapter through an in-process channel, on a node without libvirt and without kernel iSCSI sessions. */
class StorageGrpcServiceTest {
    @TempDir
    Path folder;
    private Path nameFile;
    private StorageServiceHarness service;

    @BeforeEach
    void setUp() throws Exception {
        nameFile = Files.writeString(folder.resolve("initiatorname.iscsi"),
                "InitiatorName=iqn.2026-11.test.aim.storage:node\n");
        service = new StorageServiceHarness(false, nameFile, Files.createDirectory(folder.resolve("sys")));
    }

    @AfterEach
    void tearDown() throws Exception {
        service.close();
    }

    @Test
    void initiatorIqnComesFromTheFileOnEveryCall() throws Exception {
        GetInitiatorIqnResponse response = service.stub.getInitiatorIqn(GetInitiatorIqnRequest.getDefaultInstance());
        assertEquals("iqn.2026-11.test.aim.storage:node", response.getInitiatorIqn());
        assertEquals(nameFile.toString(), response.getSourceFile());
        Files.writeString(nameFile, "InitiatorName=not-an-iqn\n");
        StatusRuntimeException invalid = assertStatus(Status.Code.FAILED_PRECONDITION,
                () -> service.stub.getInitiatorIqn(GetInitiatorIqnRequest.getDefaultInstance()), nameFile.toString(),
                "not-an-iqn");
        assertEquals("INITIATOR_NAME_INVALID", StatusProto.fromThrowable(invalid).getDetails(0)
                .unpack(ErrorInfo.class).getReason());
        Files.delete(nameFile);
        assertStatus(Status.Code.FAILED_PRECONDITION, () -> service.stub.getInitiatorIqn(
                GetInitiatorIqnRequest.getDefaultInstance()), "does not exist");
    }

    @Test
    void withoutLibvirtAndKernelSessionsNothingCanRescan() {
        assertStatus(Status.Code.UNAVAILABLE, () -> service.stub.rescanTargets(RescanTargetsRequest.newBuilder()
                .addTargetIqns("iqn.2026-11.test.aim.storage:t").build()), "libvirt");
    }

    @Test
    void withoutLibvirtPoolsAreUnavailable() throws Exception {
        try (ServerSocket portal = new ServerSocket(0)) {
            assertStatus(Status.Code.UNAVAILABLE, () -> service.stub.createIscsiPool(CreateIscsiPoolRequest
                    .newBuilder().setName("aimst-p").setKind(IscsiPoolKind.ISCSI_POOL_KIND_DIRECT)
                    .setPortal("127.0.0.1:" + portal.getLocalPort()).setTargetIqn("iqn.2026-11.test.aim.storage:t")
                    .build()), "libvirt");
            assertStatus(Status.Code.UNAVAILABLE, () -> service.stub.listTargetLuns(ListTargetLunsRequest
                    .newBuilder().setPortal("127.0.0.1:" + portal.getLocalPort())
                    .setTargetIqn("iqn.2026-11.test.aim.storage:t").build()), "libvirt");
        }
    }

    @Test
    void malformedRequestsAreInvalidArguments() {
        assertStatus(Status.Code.INVALID_ARGUMENT, () -> service.stub.rescanTargets(RescanTargetsRequest.newBuilder()
                .addTargetIqns("eui.123").build()), "target_iqns[0]", "16 hexadecimal");
        assertStatus(Status.Code.INVALID_ARGUMENT, () -> service.stub.listTargetLuns(ListTargetLunsRequest
                .newBuilder().setPortal("host:port").setTargetIqn("iqn.2026-11.test.aim.storage:t").build()),
                "portal");
        assertStatus(Status.Code.INVALID_ARGUMENT, () -> service.stub.listTargetLuns(ListTargetLunsRequest
                .newBuilder().setPortal("127.0.0.1").setTargetIqn("iqn.2026-11.test.aim.storage:t")
                .setInitiatorIqn("me").build()), "initiator_iqn");
    }

    @Test
    void createIscsiPoolNamesItsOwnFieldsNotCreateStoragePools() throws Exception {
        CreateIscsiPoolRequest.Builder request = CreateIscsiPoolRequest.newBuilder().setName("aimst-p")
                .setKind(IscsiPoolKind.ISCSI_POOL_KIND_KERNEL).setTargetIqn("iqn.2026-11.test.aim.storage:t");
        int closedPort;
        try (ServerSocket gone = new ServerSocket(0)) {
            closedPort = gone.getLocalPort();
        }
        StatusRuntimeException unreachable = assertStatus(Status.Code.UNAVAILABLE, () -> service.stub
                .createIscsiPool(request.clone().setPortal("127.0.0.1:" + closedPort).build()), "(portal)");
        assertFalse(unreachable.getStatus().getDescription().contains("source_"),
                unreachable.getStatus().getDescription());
        try (ServerSocket portal = new ServerSocket(0)) {
            String reachable = "127.0.0.1:" + portal.getLocalPort();
            StatusRuntimeException noTarget = assertStatus(Status.Code.INVALID_ARGUMENT, () -> service.stub
                    .createIscsiPool(request.clone().setPortal(reachable).clearTargetIqn().build()), "target_iqn");
            assertEquals("target_iqn", StatusProto.fromThrowable(noTarget).getDetails(0).unpack(ErrorInfo.class)
                    .getMetadataOrThrow("field"));
            assertStatus(Status.Code.INVALID_ARGUMENT, () -> service.stub.createIscsiPool(request.clone()
                    .setPortal(reachable).setInitiatorIqn("me").build()), "initiator_iqn");
        }
    }

    private static StatusRuntimeException assertStatus(Status.Code code, Executable call, String... inMessage) {
        StatusRuntimeException failure = assertThrows(StatusRuntimeException.class, call);
        assertEquals(code, failure.getStatus().getCode(), failure.getStatus().toString());
        for (String text : inMessage) {
            assertTrue(failure.getStatus().getDescription().contains(text), failure.getStatus().getDescription());
        }
        return failure;
    }
}
