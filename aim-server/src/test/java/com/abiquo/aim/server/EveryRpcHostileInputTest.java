package com.abiquo.aim.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.abiquo.aim.core.config.AimSettings;
import com.abiquo.aim.core.config.AimSettingsReader;
import com.abiquo.aim.core.module.AimModule;
import com.abiquo.aim.server.security.ServerLimits;
import com.abiquo.aim.v1.DefineDomainRequest;
import com.abiquo.aim.v1.LibvirtServiceGrpc;
import com.abiquo.aim.v1.NodeServiceGrpc;
import com.google.protobuf.Descriptors;
import io.grpc.BindableService;
import io.grpc.Grpc;
import io.grpc.InsecureChannelCredentials;
import io.grpc.ManagedChannel;
import io.grpc.MethodDescriptor;
import io.grpc.ServiceDescriptor;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.protobuf.ProtoServiceDescriptorSupplier;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.TreeMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The guard against INTERNAL for a client's mistake: every RPC of every service, found through the service
 * descriptors (a new RPC or field is covered without touching this test), gets every string field of its request,
 * nested ones included, set in turn to an empty, a NUL-bearing, an over-long and a non-UTF-8 value, through the
 * whole server on real Netty with the real modules on a safe configuration (libvirt test:///default, a temporary
 * repository and datastore, a network namespace that does not exist). No answer may be INTERNAL or UNKNOWN, and the
 * server keeps serving.
 */
class EveryRpcHostileInputTest {
    private static Path folder;
    private static List<AimModule> modules;
    private static AimServer server;
    private static ManagedChannel channel;
    private static HostileRequests requests;

    @BeforeAll
    static void start() throws Exception {
        folder = Files.createTempDirectory("aimsrv-hostile-");
        Path file = SafeConfig.write(folder, "");
        Files.createDirectories(folder.resolve("repository/fuzz"));
        Files.write(folder.resolve("repository/fuzz/disk.raw"), new byte[4096]);
        Files.createDirectories(folder.resolve("datastore/fuzz"));
        Files.write(folder.resolve("datastore/fuzz/disk.raw"), new byte[4096]);
        AimSettings settings = AimSettingsReader.read(file);
        modules = ModuleLoader.load();
        server = new AimServer(ServerSettings.from(settings, folder), settings, folder, modules, 4, BuildInfo.load());
        server.start();
        channel = Grpc.newChannelBuilderForAddress("127.0.0.1", server.port(), InsecureChannelCredentials.create())
                .maxInboundMessageSize(64 << 20)
                .build();
        Path datastore = folder.resolve("datastore").toRealPath();
        requests = new HostileRequests(datastore, "fuzz/disk.raw", datastore.resolve("fuzz/disk.raw").toString());
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

    @Test
    void noHostileStringInAnyFieldOfAnyRpcIsAnInternalError() throws Exception {
        List<ServiceDescriptor> services = new ArrayList<>();
        services.add(NodeServiceGrpc.getServiceDescriptor());
        for (AimModule module : modules) {
            for (BindableService service : module.services()) {
                services.add(service.bindService().getServiceDescriptor());
            }
        }
        ExecutorService callers = Executors.newFixedThreadPool(4);
        List<Future<String>> answers = new ArrayList<>();
        int rpcs = 0;
        try {
            for (ServiceDescriptor service : services) {
                Descriptors.ServiceDescriptor proto = ((ProtoServiceDescriptorSupplier) service.getSchemaDescriptor())
                        .getServiceDescriptor();
                for (MethodDescriptor<?, ?> method : service.getMethods()) {
                    rpcs++;
                    Descriptors.Descriptor input = proto.findMethodByName(method.getBareMethodName()).getInputType();
                    for (HostileRequests.Request request : requests.all(input)) {
                        answers.add(callers.submit(() -> {
                            Status status = call(method.getFullMethodName(), method.getType(), request.bytes());
                            return method.getFullMethodName() + " with " + request.description() + " -> "
                                    + status.getCode() + ": " + shorten(status.getDescription())
                                    + (status.getCause() == null ? "" : " (" + status.getCause() + ")");
                        }));
                    }
                }
            }
            List<String> crashes = Collections.synchronizedList(new ArrayList<>());
            TreeMap<String, Integer> codes = new TreeMap<>();
            for (Future<String> answer : answers) {
                String line = answer.get(60, TimeUnit.SECONDS);
                String code = line.substring(line.indexOf(" -> ") + 4, line.indexOf(':', line.indexOf(" -> ")));
                codes.merge(code, 1, Integer::sum);
                if (code.equals("INTERNAL") || code.equals("UNKNOWN")) {
                    crashes.add(line);
                }
            }
            System.out.println(answers.size() + " hostile requests to " + rpcs + " RPCs answered " + codes);
            assertTrue(rpcs > 40, "the descriptors list only " + rpcs + " RPCs");
            assertTrue(crashes.isEmpty(), crashes.size() + " client mistakes answered as server faults:\n"
                    + String.join("\n", crashes));
        } finally {
            callers.shutdownNow();
        }
        Status alive = call("abiquo.aim.v1.NodeService/GetAgentInfo", MethodDescriptor.MethodType.UNARY, new byte[0]);
        assertTrue(alive.isOk(), "the server still serves: " + alive);
    }

    /**
     * Message sizes answer as the protos say (common.proto): an XML over DefineDomain's 1 MiB is INVALID_ARGUMENT
     * naming the limit, also at 10 MiB (gRPC's default 4 MiB transport limit answered its own RESOURCE_EXHAUSTED
     * there); only a request over the 16 MiB transport limit is RESOURCE_EXHAUSTED.
     */
    @Test
    void oversizedXmlIsInvalidArgumentUpToTheTransportLimit() {
        LibvirtServiceGrpc.LibvirtServiceBlockingStub libvirt = LibvirtServiceGrpc.newBlockingStub(channel)
                .withDeadlineAfter(30, TimeUnit.SECONDS);
        String tenMebibytes = "<domain>" + " ".repeat(10 << 20) + "</domain>";
        StatusRuntimeException oversized = assertThrows(StatusRuntimeException.class,
                () -> libvirt.defineDomain(DefineDomainRequest.newBuilder().setXml(tenMebibytes).build()));
        assertEquals(Status.Code.INVALID_ARGUMENT, oversized.getStatus().getCode(), oversized.toString());
        assertTrue(oversized.getStatus().getDescription().contains(Integer.toString(1 << 20)), oversized.toString());

        String overTransport = " ".repeat(ServerLimits.DEFAULT_MAX_LARGE_MESSAGE_BYTES);
        StatusRuntimeException transport = assertThrows(StatusRuntimeException.class,
                () -> libvirt.defineDomain(DefineDomainRequest.newBuilder().setXml(overTransport).build()));
        assertEquals(Status.Code.RESOURCE_EXHAUSTED, transport.getStatus().getCode(), transport.toString());
    }

    private static Status call(String fullMethodName, MethodDescriptor.MethodType type, byte[] request)
            throws Exception {
        return RawCalls.callOnce(channel, fullMethodName, type, request);
    }

    private static String shorten(String text) {
        if (text == null) {
            return "";
        }
        return text.length() > 300 ? text.substring(0, 300) + "..." : text;
    }
}
