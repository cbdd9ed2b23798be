package com.abiquo.aim.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.abiquo.aim.core.config.AimSettings;
import com.abiquo.aim.core.config.AimSettingsReader;
import com.abiquo.aim.core.config.ConfigException;
import com.abiquo.aim.testing.Ports;
import io.grpc.CallOptions;
import io.grpc.ClientCall;
import io.grpc.Grpc;
import io.grpc.InsecureChannelCredentials;
import io.grpc.ManagedChannel;
import io.grpc.Metadata;
import io.grpc.Status;
import io.grpc.health.v1.HealthCheckRequest;
import io.grpc.health.v1.HealthCheckResponse.ServingStatus;
import io.grpc.health.v1.HealthGrpc;
import java.io.StringReader;
import java.net.ServerSocket;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** What the server does with modules: config, health, start failures, and the order of a graceful stop. */
class LifecycleTest {
    @TempDir
    Path folder;

    private AimServer server;
    private ManagedChannel channel;

    @AfterEach
    void cleanUp() throws Exception {
        if (channel != null) {
            channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
        }
        if (server != null) {
            server.stop();
        }
    }

    private AimServer server(String ini, ProbeModule... modules) throws Exception {
        AimSettings settings = AimSettingsReader.read("test.ini", new StringReader(
                "[server]\naddress = 127.0.0.1\nport = 0\nshutdownGraceSeconds = 5\n" + ini));
        return new AimServer(ServerSettings.from(settings, folder), settings, folder, List.of(modules), 2,
                BuildInfo.load());
    }

    private ManagedChannel channel() {
        channel = Grpc.newChannelBuilderForAddress("127.0.0.1", server.port(), InsecureChannelCredentials.create())
                .build();
        return channel;
    }

    private ServingStatus health(String service) {
        return HealthGrpc.newBlockingStub(channel).check(HealthCheckRequest.newBuilder().setService(service).build())
                .getStatus();
    }

    @Test
    void aServiceIsNotServingWhileItsDependencyIsDown() throws Exception {
        ProbeModule down = new ProbeModule();
        server = server("[probe]\ndependencyUp = FALSE\n", down);
        server.start();
        channel();
        assertEquals(ServingStatus.NOT_SERVING, health(ProbeModule.SERVICE));
        assertEquals(ServingStatus.SERVING, health("abiquo.aim.v1.NodeService"));
        assertEquals(ServingStatus.SERVING, health(""));
    }

    @Test
    void healthAndAgentInfoAnswerWhileEveryRequestThreadIsBusy() throws Exception {
        ProbeModule probe = new ProbeModule();
        AimSettings settings = AimSettingsReader.read("test.ini", new StringReader(
                "[server]\naddress = 127.0.0.1\nport = 0\n[probe]\ndependencyUp = 1\n"));
        server = new AimServer(ServerSettings.from(settings, folder), settings, folder, List.of(probe), 1,
                BuildInfo.load());
        server.start();
        ClientCall<byte[], byte[]> slow = channel().newCall(ProbeModule.BLOCK, CallOptions.DEFAULT);
        slow.start(new ClientCall.Listener<>() { }, new Metadata());
        slow.request(1);
        slow.sendMessage(new byte[0]);
        slow.halfClose();
        try {
            assertTrue(probe.blocking.await(10, TimeUnit.SECONDS), "the slow call did not start");
            assertTrue(probe.blockingThread.startsWith("aim-action-"), probe.blockingThread);
            assertEquals(ServingStatus.SERVING, HealthGrpc.newBlockingStub(channel)
                    .withDeadlineAfter(5, TimeUnit.SECONDS)
                    .check(HealthCheckRequest.newBuilder().setService(ProbeModule.SERVICE).build()).getStatus());
            assertEquals(BuildInfo.load().version(), com.abiquo.aim.v1.NodeServiceGrpc.newBlockingStub(channel)
                    .withDeadlineAfter(5, TimeUnit.SECONDS)
                    .getAgentInfo(com.abiquo.aim.v1.GetAgentInfoRequest.getDefaultInstance()).getVersion());
        } finally {
            probe.release.countDown();
        }
    }

    @Test
    void aServiceIsServingWhenItsModuleSaysNothing() throws Exception {
        server = server("[probe]\ndependencyUp = yes\ncount = 3 ; three\n", new ProbeModule());
        server.start();
        channel();
        assertEquals(ServingStatus.SERVING, health(ProbeModule.SERVICE));
    }

    @Test
    void aBadModuleSettingStopsStartUpAndFreesThePort() throws Exception {
        ProbeModule first = new ProbeModule("first", "aim.test.FirstService");
        ProbeModule bad = new ProbeModule();
        int port = Ports.reusable(); // bound again below: not one an outgoing connection can take meanwhile
        AimSettings settings = AimSettingsReader.read("test.ini", new StringReader("[server]\naddress = 127.0.0.1\n"
                + "port = " + port + "\n[first]\ndependencyUp = on\n[probe]\ndependencyUp = maybe\n"));
        AimServer failing = new AimServer(ServerSettings.from(settings, folder), settings, folder,
                List.of(first, bad), 2, BuildInfo.load());
        ConfigException error = assertThrows(ConfigException.class, failing::start);
        assertEquals("test.ini: [probe] dependencyUp = \"maybe\" is invalid: accepted values: true, false, yes, no, "
                + "on, off, 1, 0 (any case)", error.getMessage());
        assertTrue(first.stopped, "the module started before the failure must be stopped again");
        try (ServerSocket free = new ServerSocket(port)) {
            assertEquals(port, free.getLocalPort());
        }
    }

    @Test
    void twoModulesServingOneServiceIsRefused() throws Exception {
        server = server("", new ProbeModule("one", ProbeModule.SERVICE), new ProbeModule("two", ProbeModule.SERVICE));
        IllegalStateException error = assertThrows(IllegalStateException.class, server::start);
        assertEquals("service aim.test.ProbeService is served by both module one and module two", error.getMessage());
        server = null;
    }

    @Test
    void callsStillRunningAfterTheGraceAreCancelled() throws Exception {
        ProbeModule forgetful = new ProbeModule();
        forgetful.endStreamsOnStop = false;
        AimSettings settings = AimSettingsReader.read("test.ini", new StringReader(
                "[server]\naddress = 127.0.0.1\nport = 0\nshutdownGraceSeconds = 1\n[probe]\ndependencyUp = 1\n"));
        server = new AimServer(ServerSettings.from(settings, folder), settings, folder, List.of(forgetful), 2,
                BuildInfo.load());
        server.start();
        CompletableFuture<Status> closed = watch(forgetful);
        long begin = System.nanoTime();
        server.stop();
        long millis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - begin);
        server = null;
        Status status = closed.get(10, TimeUnit.SECONDS);
        assertTrue(status.getCode() == Status.Code.UNAVAILABLE || status.getCode() == Status.Code.CANCELLED,
                status.toString());
        assertTrue(millis >= 900 && millis < 9000, "stop took " + millis + " ms with a grace of 1 s");
    }

    private CompletableFuture<Status> watch(ProbeModule probe) throws Exception {
        ClientCall<byte[], byte[]> call = channel().newCall(ProbeModule.WATCH, CallOptions.DEFAULT);
        CompletableFuture<Status> closed = new CompletableFuture<>();
        call.start(new ClientCall.Listener<>() {
            @Override
            public void onClose(Status status, Metadata trailers) {
                closed.complete(status);
            }
        }, new Metadata());
        call.request(10);
        call.sendMessage(new byte[0]);
        call.halfClose();
        assertTrue(probe.watching.await(5, TimeUnit.SECONDS));
        return closed;
    }

    @Test
    void gracefulStopEndsOpenStreamsWithUnavailableQuickly() throws Exception {
        ProbeModule probe = new ProbeModule();
        server = server("[probe]\ndependencyUp = true\n", probe);
        server.start();
        CompletableFuture<Status> closed = watch(probe);
        long begin = System.nanoTime();
        server.stop();
        long millis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - begin);
        server = null;
        Status status = closed.get(5, TimeUnit.SECONDS);
        assertEquals(Status.Code.UNAVAILABLE, status.getCode());
        assertEquals("AIM is shutting down", status.getDescription());
        assertTrue(probe.stopped);
        assertTrue(millis < 4000, "stop waited " + millis + " ms although every stream had ended");
    }

    @Test
    void reflectionCanBeTurnedOff() throws Exception {
        server = server("reflection = off\n");
        server.start();
        Tools.Result listed = Tools.buf("curl", "--protocol", "grpc", "--http2-prior-knowledge", "--list-services",
                "http://127.0.0.1:" + server.port());
        assertTrue(listed.exitCode() != 0, listed.output());
    }

    @Test
    void listeningBeyondLoopbackWithoutTlsIsALoudWarning() throws Exception {
        for (String address : new String[] {"127.0.0.1", "0.0.0.0"}) {
            AimSettings settings = AimSettingsReader.read("test.ini", new StringReader(
                    "[server]\naddress = " + address + "\nport = 0\n"));
            try (LogCapture log = new LogCapture()) {
                AimServer plain = new AimServer(ServerSettings.from(settings, folder), settings, folder, List.of(), 1,
                        BuildInfo.load());
                plain.start();
                plain.stop();
                boolean warned = log.text().contains("WARN  *** AIM listens on " + address + ":")
                        && log.text().contains("WITHOUT TLS");
                assertEquals(!"127.0.0.1".equals(address), warned, address + ":\n" + log.text());
            }
        }
    }
}
