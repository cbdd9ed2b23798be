package com.abiquo.aim.rimp.server;

import com.abiquo.aim.core.config.AimSettings;
import com.abiquo.aim.core.config.AimSettingsReader;
import com.abiquo.aim.core.module.ModuleContext;
import com.abiquo.aim.core.module.NodeIdentity;
import com.abiquo.aim.core.module.ServiceRegistry;
import com.abiquo.aim.rimp.RimpModule;
import com.abiquo.aim.testing.RecordingHealth;
import io.grpc.BindableService;
import io.grpc.ManagedChannel;
import io.grpc.Server;
import io.grpc.ServerBuilder;
import io.grpc.inprocess.InProcessChannelBuilder;
import io.grpc.inprocess.InProcessServerBuilder;
import io.grpc.netty.shaded.io.grpc.netty.NettyServerBuilder;
import java.io.StringReader;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * RimpModule started the way aim-server starts it (settings, context, services bound to a real gRPC server),
 * in-process for adapter tests or on Netty over loopback for the kill -9 test and the benchmark.
 */
public final class RimpServerHarness implements AutoCloseable {
    public final RimpModule module;
    public final RecordingHealth health = new RecordingHealth();
    private final ExecutorService requests = Executors.newFixedThreadPool(4);
    private final ScheduledExecutorService scheduler = Executors.newSingleThreadScheduledExecutor();
    private final Server server;
    private final String inProcessName;

    private RimpServerHarness(String ini, Path configFolder, Integer nettyPort) throws Exception {
        AimSettings settings = AimSettingsReader.read("test aim.ini", new StringReader(ini));
        module = new RimpModule();
        module.start(new ModuleContext(settings, configFolder, requests, scheduler, health, new ServiceRegistry(),
                new NodeIdentity("rimp-test-host", "127.0.0.1")));
        ServerBuilder<?> builder;
        if (nettyPort == null) {
            inProcessName = "rimp-" + System.nanoTime();
            builder = InProcessServerBuilder.forName(inProcessName);
        } else {
            inProcessName = null;
            builder = NettyServerBuilder.forAddress(new InetSocketAddress("127.0.0.1", nettyPort))
                    .maxInboundMessageSize(8 << 20);
        }
        for (BindableService service : module.services()) {
            builder.addService(service);
        }
        server = builder.build().start();
    }

    public static RimpServerHarness inProcess(String ini, Path configFolder) throws Exception {
        return new RimpServerHarness(ini, configFolder, null);
    }

    public static RimpServerHarness netty(String ini, Path configFolder, int port) throws Exception {
        return new RimpServerHarness(ini, configFolder, port);
    }

    /**
     * Occupies every request thread until {@code release} opens, so that work handed to them waits in the queue;
     * returns once all of them are held.
     */
    public void holdRequestThreads(java.util.concurrent.CountDownLatch release) throws InterruptedException {
        java.util.concurrent.CountDownLatch held = new java.util.concurrent.CountDownLatch(4);
        for (int i = 0; i < 4; i++) {
            requests.execute(() -> {
                held.countDown();
                try {
                    release.await();
                } catch (InterruptedException interrupted) {
                    Thread.currentThread().interrupt();
                }
            });
        }
        held.await();
    }

    /** Work handed to the request threads that waits for one (while they are held). */
    /** Shuts the request threads down as the agent's stop does, with the module still registered. */
    public void stopRequestThreads() {
        requests.shutdown();
    }

    public int queuedRequests() {
        return ((java.util.concurrent.ThreadPoolExecutor) requests).getQueue().size();
    }

    public int port() {
        return server.getPort();
    }

    public ManagedChannel channel() {
        return InProcessChannelBuilder.forName(inProcessName).directExecutor().build();
    }

    public void awaitTermination() throws InterruptedException {
        server.awaitTermination();
    }

    @Override
    public void close() {
        server.shutdown();
        module.stop();
        try {
            if (!server.awaitTermination(5, TimeUnit.SECONDS)) {
                server.shutdownNow();
            }
        } catch (InterruptedException interrupted) {
            server.shutdownNow();
            Thread.currentThread().interrupt();
        } finally {
            requests.shutdownNow();
            scheduler.shutdownNow();
        }
    }
}
