package com.abiquo.aim.libvirt.events.fault;

import com.abiquo.aim.core.config.AimSettings;
import com.abiquo.aim.core.module.ModuleContext;
import com.abiquo.aim.core.module.NodeIdentity;
import com.abiquo.aim.core.module.ServiceRegistry;
import com.abiquo.aim.libvirt.connection.ConnectionSettings;
import com.abiquo.aim.libvirt.connection.DomainEventSource;
import com.abiquo.aim.libvirt.connection.LibvirtConnection;
import com.abiquo.aim.libvirt.events.EventsMonitor;
import com.abiquo.aim.libvirt.events.EventsMonitorModule;
import com.abiquo.aim.libvirt.events.grpc.Journaled;
import com.abiquo.aim.testing.RecordingHealth;
import com.abiquo.aim.testing.Waits;
import com.abiquo.aim.v1.EventsMonitorServiceGrpc;
import io.grpc.ManagedChannel;
import io.grpc.Server;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.grpc.netty.shaded.io.grpc.netty.NettyServerBuilder;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * The EventsMonitor as the agent runs it: the real libvirt connection (or any event source), the module, and a
 * Netty gRPC server on a loopback ephemeral port; clients connect over real TCP.
 */
public final class EventsServerHarness implements AutoCloseable {
    public static final String SERVICE = "abiquo.aim.v1.EventsMonitorService";

    public final RecordingHealth health = new RecordingHealth();
    private final ExecutorService requests = Executors.newFixedThreadPool(4);
    private final ScheduledExecutorService scheduler = Executors.newSingleThreadScheduledExecutor();
    private final List<ManagedChannel> channels = new ArrayList<>();
    private final LibvirtConnection connection;
    private final EventsMonitorModule module;
    private final Server server;

    /** With the real libvirt connection to {@code uri} (reconnect backoff at most 1 s, keepalive 1 s x 2). */
    public static EventsServerHarness libvirt(String uri, Map<String, String> monitorSettings) throws Exception {
        return new EventsServerHarness(uri, null, monitorSettings, Duration.ofSeconds(1));
    }

    /** With the real libvirt connection to {@code uri} and this reconnect backoff cap (keepalive 1 s x 2). */
    public static EventsServerHarness libvirt(String uri, Map<String, String> monitorSettings,
                                              Duration reconnectMaxBackoff) throws Exception {
        return new EventsServerHarness(uri, null, monitorSettings, reconnectMaxBackoff);
    }

    /** With any event source (the benchmark's synthetic one). */
    public static EventsServerHarness withSource(DomainEventSource source, Map<String, String> monitorSettings)
            throws Exception {
        return new EventsServerHarness(null, source, monitorSettings, Duration.ofSeconds(1));
    }

    private EventsServerHarness(String uri, DomainEventSource source, Map<String, String> monitorSettings,
                                Duration reconnectMaxBackoff) throws Exception {
        ServiceRegistry registry = new ServiceRegistry();
        if (uri != null) {
            connection = new LibvirtConnection(new ConnectionSettings(uri, 1, 2, reconnectMaxBackoff), health);
            connection.start(Duration.ofSeconds(30));
            registry.publish(DomainEventSource.class, connection);
        } else {
            connection = null;
            registry.publish(DomainEventSource.class, source);
        }
        module = new EventsMonitorModule();
        module.start(new ModuleContext(new AimSettings("test", Map.of("monitor", monitorSettings)), Path.of("."),
                requests, scheduler, health, registry, new NodeIdentity("bench-node", "127.0.0.1")));
        NettyServerBuilder builder = NettyServerBuilder.forAddress(new InetSocketAddress("127.0.0.1", 0));
        module.services().forEach(builder::addService);
        server = builder.build().start();
        awaitServing(Duration.ofSeconds(30));
    }

    public void awaitServing(Duration timeout) throws InterruptedException {
        awaitHealth("SERVING", timeout);
    }

    public void awaitHealth(String prefix, Duration timeout) {
        Waits.await("health of " + SERVICE + " " + prefix, timeout, Duration.ofMillis(5),
                () -> health.status(SERVICE).startsWith(prefix), () -> "it is " + health.status(SERVICE));
    }

    /**
     * Waits until an event of the domain is in the journal, read with ListEvents. libvirt reports events
     * asynchronously: the DEFINED event of a domain defined just before may otherwise reach a subscription opened next.
     */
    public void awaitJournaled(String uuid, Duration timeout) {
        Journaled.awaitEventOf(channel(), uuid, timeout);
    }

    public LibvirtConnection connection() {
        return connection;
    }

    public EventsMonitor monitor() {
        return module.monitor();
    }

    public int port() {
        return server.getPort();
    }

    /** A new TCP connection to the server (each subscriber can have its own). */
    public ManagedChannel channel() {
        return channel(0);
    }

    /** @param flowControlWindow the client's HTTP/2 stream window in bytes; 0 for grpc-java's default (1 MiB) */
    public synchronized ManagedChannel channel(int flowControlWindow) {
        // Callbacks run on the channel's event loop: with the default executor every message costs two thread hops
        // (deliver, then request the next), which caps one stream at ~15k messages/s on the client side.
        NettyChannelBuilder builder = NettyChannelBuilder.forAddress("127.0.0.1", port()).usePlaintext()
                .directExecutor().disableRetry();
        if (flowControlWindow > 0) {
            builder.flowControlWindow(flowControlWindow);
        }
        ManagedChannel channel = builder.build();
        channels.add(channel);
        return channel;
    }

    public EventsMonitorServiceGrpc.EventsMonitorServiceStub stub(ManagedChannel channel) {
        return EventsMonitorServiceGrpc.newStub(channel);
    }

    @Override
    public void close() {
        for (ManagedChannel channel : channels) {
            channel.shutdownNow();
        }
        module.stop();
        server.shutdownNow();
        try {
            server.awaitTermination(5, TimeUnit.SECONDS);
        } catch (InterruptedException interrupted) {
            Thread.currentThread().interrupt();
        }
        if (connection != null) {
            connection.close();
        }
        requests.shutdownNow();
        scheduler.shutdownNow();
    }
}
