package com.abiquo.aim.server;

import com.abiquo.aim.core.config.AimSettings;
import com.abiquo.aim.core.config.AimSettingsReader;
import com.abiquo.aim.core.module.AimModule;
import com.abiquo.aim.v1.NodeServiceGrpc;
import com.code_intelligence.jazzer.api.BugDetectors;
import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.api.SilentCloseable;
import com.code_intelligence.jazzer.junit.FuzzTest;
import com.google.protobuf.Descriptors;
import io.grpc.BindableService;
import io.grpc.Grpc;
import io.grpc.InsecureChannelCredentials;
import io.grpc.ManagedChannel;
import io.grpc.MethodDescriptor;
import io.grpc.ServiceDescriptor;
import io.grpc.Status;
import io.grpc.protobuf.ProtoServiceDescriptorSupplier;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;

/**
 * Fuzzes every service's request validation through the whole server (real Netty, the real modules on
 * {@link SafeConfig}'s configuration: libvirt's test driver, a temporary repository and datastore, a network
 * namespace that does not exist): the fuzzer picks an RPC and builds a random request of its type
 * ({@link RandomRequests}), or sends its bytes as they are. No answer may be INTERNAL or UNKNOWN (a client's
 * mistake answered as a server fault, or a crash behind it), and the server keeps serving.
 */
class ServiceRequestsFuzzTest {
    private static Path folder;
    private static AimServer server;
    private static ManagedChannel channel;
    private static final List<Rpc> RPCS = new ArrayList<>();
    private static RandomRequests requests;

    private record Rpc(MethodDescriptor<?, ?> method, Descriptors.Descriptor input) {
    }

    @BeforeAll
    static void start() throws Exception {
        folder = Files.createTempDirectory("aimsrv-fuzz-");
        Path file = SafeConfig.write(folder, "");
        Files.createDirectories(folder.resolve("repository/fuzz"));
        Files.write(folder.resolve("repository/fuzz/disk.raw"), new byte[4096]);
        Files.createDirectories(folder.resolve("datastore/fuzz"));
        Files.write(folder.resolve("datastore/fuzz/disk.raw"), new byte[4096]);
        AimSettings settings = AimSettingsReader.read(file);
        List<AimModule> modules = ModuleLoader.load();
        server = new AimServer(ServerSettings.from(settings, folder), settings, folder, modules, 4, BuildInfo.load());
        server.start();
        channel = Grpc.newChannelBuilderForAddress("127.0.0.1", server.port(), InsecureChannelCredentials.create())
                .maxInboundMessageSize(64 << 20)
                .build();
        List<ServiceDescriptor> services = new ArrayList<>();
        services.add(NodeServiceGrpc.getServiceDescriptor());
        for (AimModule module : modules) {
            for (BindableService service : module.services()) {
                services.add(service.bindService().getServiceDescriptor());
            }
        }
        for (ServiceDescriptor service : services) {
            Descriptors.ServiceDescriptor proto = ((ProtoServiceDescriptorSupplier) service.getSchemaDescriptor())
                    .getServiceDescriptor();
            for (MethodDescriptor<?, ?> method : service.getMethods()) {
                RPCS.add(new Rpc(method, proto.findMethodByName(method.getBareMethodName()).getInputType()));
            }
        }
        Path repository = folder.resolve("repository").toRealPath();
        Path datastore = folder.resolve("datastore").toRealPath();
        requests = new RandomRequests(List.of(
                "test", "6695eb01-f6a4-8304-79aa-97f2502e193f", "default-pool", // libvirt test driver's objects
                "fuzz/disk.raw", "fuzz", "fuzz/copy.raw", repository.toString(), datastore.toString(),
                datastore.resolve("fuzz/disk.raw").toString(), repository.resolve("fuzz/disk.raw").toString(),
                "../../../etc/passwd", "/etc/passwd", "fuzz/../../../etc", "fuzz/disk.raw\0x", "", " ",
                "iqn.2026-11.test.aim:server", "lo", "eth0", "100", "4094", "nfs", "ext4", "qcow2", "raw"));
    }

    @AfterAll
    static void stop() throws Exception {
        if (channel != null) {
            channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
        }
        if (server != null) {
            server.stop();
        }
        if (folder != null) {
            Tools.run(Path.of("/"), List.of("rm", "-rf", folder.toString()));
        }
    }

    @FuzzTest(maxDuration = "15s")
    void noRequestIsAServerFault(FuzzedDataProvider data) throws Exception {
        // The storage service connects to the iSCSI portal a request names: that is its job (roles decide who may
        // ask), not server-side request forgery, which Jazzer's detector would report as a finding.
        try (SilentCloseable connections = BugDetectors.allowNetworkConnections()) {
            callWithRandomRequest(data);
        }
    }

    private static void callWithRandomRequest(FuzzedDataProvider data) throws Exception {
        Rpc rpc = data.pickValue(RPCS);
        byte[] request = data.consumeBoolean()
                ? data.consumeRemainingAsBytes() // not necessarily a message of the type at all
                : requests.build(rpc.input(), data).toByteArray();
        Status status = RawCalls.callOnce(channel, rpc.method().getFullMethodName(), rpc.method().getType(), request);
        if (status.getCode() == Status.Code.INTERNAL || status.getCode() == Status.Code.UNKNOWN) {
            throw new AssertionError(rpc.method().getFullMethodName() + " answered " + status + " ("
                    + status.getCause() + ") to " + rpc.input().getName() + " bytes "
                    + java.util.HexFormat.of().formatHex(request));
        }
    }
}
