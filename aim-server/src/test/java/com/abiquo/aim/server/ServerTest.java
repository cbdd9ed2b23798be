package com.abiquo.aim.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.abiquo.aim.core.config.AimSettings;
import com.abiquo.aim.core.config.AimSettingsReader;
import com.abiquo.aim.core.module.AimModule;
import com.abiquo.aim.v1.GetAgentInfoRequest;
import com.abiquo.aim.v1.GetAgentInfoResponse;
import com.abiquo.aim.v1.NodeServiceGrpc;
import io.grpc.BindableService;
import io.grpc.Grpc;
import io.grpc.InsecureChannelCredentials;
import io.grpc.ManagedChannel;
import io.grpc.MethodDescriptor;
import io.grpc.ServiceDescriptor;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.health.v1.HealthCheckRequest;
import io.grpc.health.v1.HealthCheckResponse.ServingStatus;
import io.grpc.health.v1.HealthGrpc;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The whole server as operators run it: every module found by ServiceLoader, the real Netty transport on an
 * ephemeral port, checked with real clients (a grpc-java stub and buf curl).
 */
class ServerTest {
    private static final List<String> INFRASTRUCTURE = List.of("grpc.health.v1.Health",
            "grpc.reflection.v1.ServerReflection", "grpc.reflection.v1alpha.ServerReflection");

    private static Path folder;
    private static List<AimModule> modules;
    private static AimServer server;
    private static ManagedChannel channel;

    @BeforeAll
    static void start() throws Exception {
        folder = Files.createTempDirectory("aimsrv-server-");
        Path file = SafeConfig.write(folder, "");
        AimSettings settings = AimSettingsReader.read(file);
        modules = ModuleLoader.load();
        ConfigValidator.validate(settings, ModuleLoader.schema(modules));
        server = new AimServer(ServerSettings.from(settings, folder), settings, folder, modules, 4, BuildInfo.load());
        server.start();
        channel = Grpc.newChannelBuilderForAddress("127.0.0.1", server.port(), InsecureChannelCredentials.create())
                .build();
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

    /** What must be served: NodeService plus every service of every module that ServiceLoader found. */
    private static Set<String> expectedAimServices() {
        Set<String> names = new TreeSet<>(Set.of("abiquo.aim.v1.NodeService"));
        for (ServiceDescriptor descriptor : moduleServices()) {
            names.add(descriptor.getName());
        }
        return names;
    }

    private static List<ServiceDescriptor> moduleServices() {
        List<ServiceDescriptor> descriptors = new ArrayList<>();
        for (AimModule module : modules) {
            for (BindableService service : module.services()) {
                descriptors.add(service.bindService().getServiceDescriptor());
            }
        }
        return descriptors;
    }

    private static String url() {
        return "http://127.0.0.1:" + server.port();
    }

    @Test
    void agentInfoNamesVersionRevisionHostAndServices() {
        GetAgentInfoResponse info = NodeServiceGrpc.newBlockingStub(channel)
                .getAgentInfo(GetAgentInfoRequest.getDefaultInstance());
        BuildInfo build = BuildInfo.load();
        assertEquals(build.version(), info.getVersion());
        assertEquals(build.gitRevision(), info.getGitRevision());
        assertFalse(info.getHostname().isBlank());
        assertEquals("127.0.0.1", info.getAddress());
        long age = java.time.Instant.now().getEpochSecond() - info.getStartTime().getSeconds();
        assertTrue(age >= 0 && age < 600, "start time " + info.getStartTime());
        assertEquals(expectedAimServices(), new TreeSet<>(info.getServicesList()));
        assertEquals(server.serviceNames(), info.getServicesList());
    }

    @Test
    void reflectionV1ListsEveryServiceToBufCurl() throws Exception {
        Tools.Result listed = Tools.buf("curl", "--protocol", "grpc", "--http2-prior-knowledge", "--list-services",
                url());
        assertEquals(0, listed.exitCode(), listed.output());
        Set<String> expected = new TreeSet<>(expectedAimServices());
        expected.addAll(INFRASTRUCTURE);
        assertEquals(expected, lines(listed.output()));
    }

    @Test
    void reflectionV1alphaServesOlderClients() throws Exception {
        Tools.Result listed = Tools.buf("curl", "--protocol", "grpc", "--http2-prior-knowledge",
                "--reflect-protocol", "grpc-v1alpha", "--list-services", url());
        assertEquals(0, listed.exitCode(), listed.output());
        assertTrue(lines(listed.output()).containsAll(expectedAimServices()), listed.output());
    }

    @Test
    void reflectionDescribesMethodsAndBufCurlCallsThem() throws Exception {
        Tools.Result methods = Tools.buf("curl", "--protocol", "grpc", "--http2-prior-knowledge", "--list-methods",
                url());
        assertEquals(0, methods.exitCode(), methods.output());
        Set<String> expected = new TreeSet<>(List.of("abiquo.aim.v1.NodeService/GetAgentInfo"));
        for (ServiceDescriptor descriptor : moduleServices()) {
            for (MethodDescriptor<?, ?> method : descriptor.getMethods()) {
                expected.add(method.getFullMethodName());
            }
        }
        assertTrue(lines(methods.output()).containsAll(expected), "missing from " + methods.output());

        Tools.Result call = Tools.buf("curl", "--protocol", "grpc", "--http2-prior-knowledge",
                url() + "/abiquo.aim.v1.NodeService/GetAgentInfo");
        assertEquals(0, call.exitCode(), call.output());
        assertTrue(call.output().contains("\"version\": \"" + BuildInfo.load().version() + "\""), call.output());
        assertTrue(call.output().contains("\"gitRevision\""), call.output());
    }

    @Test
    void healthAnswersOverallAndPerService() {
        HealthGrpc.HealthBlockingStub health = HealthGrpc.newBlockingStub(channel);
        assertEquals(ServingStatus.SERVING, health.check(HealthCheckRequest.getDefaultInstance()).getStatus());
        assertEquals(ServingStatus.SERVING, health.check(HealthCheckRequest.newBuilder()
                .setService("abiquo.aim.v1.NodeService").build()).getStatus());
        for (String service : expectedAimServices()) {
            ServingStatus status = health.check(HealthCheckRequest.newBuilder().setService(service).build())
                    .getStatus();
            assertTrue(status == ServingStatus.SERVING || status == ServingStatus.NOT_SERVING,
                    service + " answers " + status);
        }
        StatusRuntimeException unknown = assertThrows(StatusRuntimeException.class, () -> health.check(
                HealthCheckRequest.newBuilder().setService("abiquo.aim.v1.NoSuchService").build()));
        assertEquals(Status.Code.NOT_FOUND, unknown.getStatus().getCode());
    }

    @Test
    void healthIsVisibleToBufCurl() throws Exception {
        Tools.Result call = Tools.buf("curl", "--protocol", "grpc", "--http2-prior-knowledge", "-d",
                "{\"service\": \"abiquo.aim.v1.NodeService\"}", url() + "/grpc.health.v1.Health/Check");
        assertEquals(0, call.exitCode(), call.output());
        assertTrue(call.output().contains("\"status\": \"SERVING\""), call.output());
    }

    @Test
    void unknownServiceOrMethodIsUnimplemented() throws Exception {
        Status status = RawCalls.callEmpty(channel, "abiquo.aim.v1.NoSuchService/Nothing",
                MethodDescriptor.MethodType.UNARY, 5000);
        assertEquals(Status.Code.UNIMPLEMENTED, status.getCode());
        Tools.Result call = Tools.buf("curl", "--protocol", "grpc", "--http2-prior-knowledge", "--schema",
                Tools.projectRoot().resolve("aim-proto/src/main/proto").toString(),
                url() + "/abiquo.aim.v1.NodeService/NoSuchMethod");
        assertTrue(call.exitCode() != 0, call.output());
    }

    /**
     * Every RPC of every service, called with an empty request, answers a typed status or UNIMPLEMENTED (not built
     * yet): never UNKNOWN (an uncaught exception) or INTERNAL, and the server keeps serving afterwards.
     */
    @Test
    void everyRpcAnswersWithoutCrashing() throws Exception {
        List<String> crashes = new ArrayList<>();
        List<String> answers = new ArrayList<>();
        for (ServiceDescriptor descriptor : moduleServices()) {
            for (MethodDescriptor<?, ?> method : descriptor.getMethods()) {
                Status status = RawCalls.callEmpty(channel, method.getFullMethodName(), method.getType(), 3000);
                answers.add(method.getFullMethodName() + " -> " + status.getCode());
                if (status.getCode() == Status.Code.UNKNOWN || status.getCode() == Status.Code.INTERNAL) {
                    crashes.add(method.getFullMethodName() + " -> " + status);
                }
            }
        }
        System.out.println("every RPC with an empty request:\n" + String.join("\n", answers));
        assertTrue(crashes.isEmpty(), "RPCs that crashed on an empty request:\n" + String.join("\n", crashes));
        agentInfoNamesVersionRevisionHostAndServices();
    }

    private static Set<String> lines(String output) {
        return Arrays.stream(output.split("\n")).map(String::strip).filter(line -> !line.isEmpty())
                .collect(Collectors.toCollection(TreeSet::new));
    }
}
