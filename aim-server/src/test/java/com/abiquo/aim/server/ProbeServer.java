package com.abiquo.aim.server;

import com.abiquo.aim.core.config.AimSettings;
import com.abiquo.aim.core.config.AimSettingsReader;
import io.grpc.CallOptions;
import io.grpc.Channel;
import io.grpc.ClientCall;
import io.grpc.Grpc;
import io.grpc.InsecureChannelCredentials;
import io.grpc.ManagedChannel;
import io.grpc.Metadata;
import io.grpc.MethodDescriptor;
import io.grpc.Status;
import java.io.StringReader;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * The real AimServer on a free loopback port with {@link ProbeModule} as its only module, for tests of how the
 * server admits and holds calls. Closing it lets every held call go, closes the connections it opened and stops
 * the server.
 */
final class ProbeServer implements AutoCloseable {
    private final AimServer server;
    private final ProbeModule probe;
    private final List<ManagedChannel> connections = new ArrayList<>();

    private ProbeServer(AimServer server, ProbeModule probe) {
        this.server = server;
        this.probe = probe;
    }

    /**
     * @param threads the server's {@code -t}
     * @param extraConfig aim.ini sections added after [server] and [probe] (empty for none)
     */
    static ProbeServer start(Path folder, int threads, String extraConfig) throws Exception {
        ProbeModule probe = new ProbeModule();
        AimSettings settings = AimSettingsReader.read("test.ini", new StringReader(
                "[server]\naddress = 127.0.0.1\nport = 0\nshutdownGraceSeconds = 1\n[probe]\ndependencyUp = 1\n"
                        + extraConfig));
        AimServer server = new AimServer(ServerSettings.from(settings, folder), settings, folder, List.of(probe),
                threads, BuildInfo.load());
        server.start();
        return new ProbeServer(server, probe);
    }

    AimServer server() {
        return server;
    }

    ProbeModule probe() {
        return probe;
    }

    /** A new channel: its own TCP connection, closed with this server. */
    ManagedChannel connection() {
        ManagedChannel channel = Grpc.newChannelBuilderForAddress("127.0.0.1", server.port(),
                InsecureChannelCredentials.create()).build();
        connections.add(channel);
        return channel;
    }

    /** Starts a unary call without waiting for it (Block, say, held until the test releases it): its status. */
    static CompletableFuture<Status> startCall(Channel channel, MethodDescriptor<byte[], byte[]> method,
                                               Metadata headers) {
        CompletableFuture<Status> done = new CompletableFuture<>();
        ClientCall<byte[], byte[]> call = channel.newCall(method, CallOptions.DEFAULT);
        call.start(new ClientCall.Listener<>() {
            @Override
            public void onClose(Status status, Metadata trailers) {
                done.complete(status);
            }
        }, headers);
        call.request(1);
        call.sendMessage(new byte[0]);
        call.halfClose();
        return done;
    }

    @Override
    public void close() throws InterruptedException {
        probe.release.countDown();
        for (ManagedChannel channel : connections) {
            channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
        }
        server.stop();
    }
}
