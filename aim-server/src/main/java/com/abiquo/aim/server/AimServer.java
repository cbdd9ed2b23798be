package com.abiquo.aim.server;

import static java.util.Objects.requireNonNull;

import com.abiquo.aim.core.config.AimSettings;
import com.abiquo.aim.core.config.ConfigException;
import com.abiquo.aim.core.metrics.NodeMetrics;
import com.abiquo.aim.core.module.AimModule;
import com.abiquo.aim.core.module.ModuleContext;
import com.abiquo.aim.core.module.NodeIdentity;
import com.abiquo.aim.core.module.ServiceRegistry;
import com.abiquo.aim.server.calls.AdmissionInterceptor;
import com.abiquo.aim.server.calls.CallPools;
import com.abiquo.aim.server.calls.CallRouter;
import com.abiquo.aim.server.security.MessageSizeLimits;
import com.abiquo.aim.server.security.ServerLimits;
import com.abiquo.aim.server.security.ServerSecurity;
import com.abiquo.aim.server.metrics.MetricsEndpoint;
import com.abiquo.aim.server.metrics.MetricsSettings;
import com.abiquo.aim.server.metrics.ServerMetrics;
import io.grpc.BindableService;
import io.grpc.Server;
import io.grpc.ServerInterceptor;
import io.grpc.ServerInterceptors;
import io.grpc.ServerServiceDefinition;
import io.grpc.health.v1.HealthCheckResponse.ServingStatus;
import io.grpc.netty.shaded.io.grpc.netty.NettyServerBuilder;
import io.grpc.protobuf.services.HealthStatusManager;
import io.grpc.protobuf.services.ProtoReflectionServiceV1;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.Logger;

/**
 * Assembles AIM: starts the modules in order, binds their services with NodeService, health and reflection on a
 * Netty server, and shuts all of it down gracefully (stop accepting, modules end their streams, wait, cancel).
 */
public final class AimServer {
    private static final Logger LOG = LogManager.getLogger(AimServer.class);
    private final ServerSettings serverSettings;
    private final AimSettings settings;
    private final Path configFolder;
    private final List<AimModule> modules;
    private final int threads;
    private final BuildInfo build;
    private final List<AimModule> started = new ArrayList<>();
    private CallPools callPools;
    private ExecutorService workExecutor;
    private ExecutorService infrastructureExecutor;
    private ScheduledExecutorService scheduler;
    private GrpcHealthReporter health;
    private ServerMetrics metrics;
    private Server server;
    private ServerSecurity security;
    private List<String> serviceNames = List.of();

    public AimServer(ServerSettings serverSettings, AimSettings settings, Path configFolder, List<AimModule> modules,
            int threads, BuildInfo build) {
        this.serverSettings = requireNonNull(serverSettings, "serverSettings is null");
        this.settings = requireNonNull(settings, "settings is null");
        this.configFolder = requireNonNull(configFolder, "configFolder is null");
        this.modules = List.copyOf(modules);
        if (threads < 1) {
            throw new IllegalArgumentException("threads must be at least 1, not " + threads);
        }
        this.threads = threads;
        this.build = requireNonNull(build, "build is null");
    }

    /** Starts modules and the server; on failure everything already started is stopped again. */
    public synchronized void start() throws ConfigException, IOException {
        if (server != null) {
            throw new IllegalStateException("already started");
        }
        // read before anything starts: it decides which metrics exist at all (ServerMetrics)
        MetricsSettings metricsSettings = MetricsSettings.from(settings);
        // Pools so that nothing starves what must always answer: reads, actions and copies each have their own
        // bounded pool (CallPools); -t more threads run the modules' long work (copies) that outlives a handler;
        // health, reflection and NodeService have their own.
        callPools = new CallPools(threads);
        workExecutor = Executors.newFixedThreadPool(threads, named("aim-work-", false));
        infrastructureExecutor = Executors.newFixedThreadPool(2, named("aim-infra-", true));
        scheduler = Executors.newSingleThreadScheduledExecutor(named("aim-scheduler-", true));
        HealthStatusManager manager = new HealthStatusManager();
        health = new GrpcHealthReporter(manager);
        health.overall(ServingStatus.NOT_SERVING);
        NodeIdentity node = new NodeIdentity(hostname(), nodeAddress());
        ServiceRegistry shared = new ServiceRegistry();
        metrics = new ServerMetrics(build.version(), build.gitRevision(), metricsSettings);
        shared.publish(NodeMetrics.class, metrics.nodeMetrics());
        ModuleContext context = new ModuleContext(settings, configFolder, workExecutor, scheduler, health, shared,
                node);
        try {
            // before any module starts: TLS files that no client could connect with are a configuration error
            security = ServerSecurity.load(serverSettings, settings);
            ServerLimits limits = ServerLimits.from(settings);
            MessageSizeLimits sizes = new MessageSizeLimits(limits);
            Map<String, String> owners = new LinkedHashMap<>();
            List<ServerServiceDefinition> definitions = new ArrayList<>();
            for (AimModule module : modules) {
                LOG.debug("starting module {}", module.name());
                module.start(context);
                started.add(module);
                for (BindableService service : module.services()) {
                    ServerServiceDefinition definition = service.bindService();
                    String name = definition.getServiceDescriptor().getName();
                    String owner = owners.putIfAbsent(name, module.name());
                    if (owner != null) {
                        throw new IllegalStateException("service " + name + " is served by both module " + owner
                                + " and module " + module.name());
                    }
                    definitions.add(definition);
                }
            }
            List<String> names = new ArrayList<>(owners.keySet());
            names.add(0, "abiquo.aim.v1.NodeService");
            definitions.add(new NodeServiceImpl(build, node.hostname(), node.address(), names, Instant.now())
                    .bindService());
            NettyServerBuilder builder = NettyServerBuilder
                    .forAddress(new InetSocketAddress(serverSettings.address(), serverSettings.port()),
                            security.credentials())
                    // calls are routed when they arrive (cheap, on the infrastructure pool): AIM's reads, actions and
                    // copies to their own pools, health/reflection/NodeService stay on the infrastructure pool
                    .executor(infrastructureExecutor)
                    .callExecutor(new CallRouter(callPools))
                    // long event streams: let controllers keep idle connections alive with pings
                    .permitKeepAliveTime(limits.permitKeepAliveSeconds(), TimeUnit.SECONDS)
                    .permitKeepAliveWithoutCalls(true)
                    // above every per-field limit (the largest per-method limit, [limits]), so an oversized field gets
                    // its method's precise status (DefineDomain's XML: INVALID_ARGUMENT), not gRPC's own
                    .maxInboundMessageSize(sizes.transportLimit())
                    .maxConcurrentCallsPerConnection(limits.maxConcurrentCallsPerConnection());
            // Per call, the last listed runs first: audit, roles, then the size of each message. They sit inside
            // the strict parsing of AIM's requests, so they see parsed messages (the audit names their arguments).
            List<ServerInterceptor> perCall = new ArrayList<>();
            perCall.add(sizes);
            perCall.addAll(security.interceptors());
            builder.addService(ServerInterceptors.intercept(manager.getHealthService(), perCall));
            // a request protobuf cannot parse (a string that is not UTF-8) is INVALID_ARGUMENT, not UNKNOWN
            definitions.forEach(definition -> builder.addService(
                    StrictRequestParsing.wrap(ServerInterceptors.intercept(definition, perCall))));
            if (serverSettings.reflection()) {
                builder.addService(ServerInterceptors.intercept(ProtoReflectionServiceV1.newInstance(), perCall));
                builder.addService(ServerInterceptors.intercept(legacyReflection(), perCall));
            }
            if (limits.maxConnectionIdleSeconds() > 0) {
                builder.maxConnectionIdle(limits.maxConnectionIdleSeconds(), TimeUnit.SECONDS);
            }
            // Around every call, the last added runs first: the reset of a client-streaming call that fails while
            // its client still sends (it must see every close, whoever closes), then admission (it must see every
            // admitted call end, whoever refuses it).
            builder.intercept(new AdmissionInterceptor(callPools));
            builder.intercept(new EarlyCloseReset());
            metrics.instrument(builder);
            server = builder.build().start();
            metrics.startEndpoint(serverCertificate());
            names.forEach(health::servingUnlessReported);
            health.overall(ServingStatus.SERVING);
            serviceNames = List.copyOf(names);
        } catch (ConfigException | IOException | RuntimeException failure) {
            if (server != null) {
                server.shutdownNow();
                server = null;
            }
            stopModules();
            shutdownExecutors();
            metrics.close();
            throw failure;
        }
        LOG.info("AIM {} ({}) listening on {}:{} with {}; services: {}", build.version(), build.gitRevision(),
                serverSettings.address(), port(), security(), String.join(", ", serviceNames));
        LOG.info("calls: {}", callPools.describe());
        if (!serverSettings.tls() && !loopback(serverSettings.address())) {
            LOG.warn("*** AIM listens on {}:{} WITHOUT TLS: anyone who reaches this port controls this node's "
                    + "virtual machines, disks and networks. Set [server] tlsCertificate, tlsKey and tlsClientCa "
                    + "(mutual TLS) or listen on 127.0.0.1. ***", serverSettings.address(), port());
        } else if (!serverSettings.mutualTls() && !loopback(serverSettings.address())) {
            // TLS alone encrypts, but it asks the client for nothing: any TLS client is let in
            LOG.warn("*** AIM listens on {}:{} with TLS but WITHOUT CLIENT CERTIFICATES: anyone who reaches this "
                    + "port controls this node's virtual machines, disks and networks. Set [server] tlsClientCa "
                    + "(mutual TLS) or listen on 127.0.0.1. ***", serverSettings.address(), port());
        }
    }

    /** The bound port (useful with port 0). */
    public int port() {
        return ((InetSocketAddress) server.getListenSockets().get(0)).getPort();
    }

    /** The pools calls run on, for tests that check their bounds. */
    CallPools callPools() {
        return callPools;
    }

    /** The bound port of /metrics, or empty when [metrics] port is not set. */
    public Optional<Integer> metricsPort() {
        return metrics.endpointPort();
    }

    /** Fully qualified names of the AIM services served (NodeService first), without health and reflection. */
    public List<String> serviceNames() {
        return serviceNames;
    }

    /**
     * Graceful stop: refuse new calls, let modules end their streams with UNAVAILABLE and finish or cancel their
     * work, give running calls shutdownGraceSeconds, then cancel what is left.
     */
    public synchronized void stop() {
        if (server == null) {
            return;
        }
        LOG.info("stopping: no new calls accepted");
        health.terminate();
        server.shutdown();
        stopModules();
        try {
            if (!server.awaitTermination(serverSettings.shutdownGraceSeconds(), TimeUnit.SECONDS)) {
                LOG.warn("calls still running after {} s: cancelling them", serverSettings.shutdownGraceSeconds());
                server.shutdownNow();
                server.awaitTermination(5, TimeUnit.SECONDS);
            }
        } catch (InterruptedException interrupted) {
            server.shutdownNow();
            Thread.currentThread().interrupt();
        }
        shutdownExecutors();
        metrics.close();
        server = null;
        LOG.info("stopped");
    }

    private void stopModules() {
        for (int i = started.size() - 1; i >= 0; i--) {
            AimModule module = started.get(i);
            try {
                module.stop();
            } catch (RuntimeException failure) {
                LOG.error("module {} failed to stop cleanly", module.name(), failure);
            }
        }
        started.clear();
    }

    private void shutdownExecutors() {
        if (callPools != null) {
            callPools.shutdown(2, TimeUnit.SECONDS);
        }
        for (ExecutorService executor : new ExecutorService[] {workExecutor, infrastructureExecutor}) {
            if (executor == null) {
                continue;
            }
            executor.shutdown();
            try {
                if (!executor.awaitTermination(2, TimeUnit.SECONDS)) {
                    executor.shutdownNow();
                }
            } catch (InterruptedException interrupted) {
                executor.shutdownNow();
                Thread.currentThread().interrupt();
            }
        }
        if (scheduler != null) {
            scheduler.shutdownNow();
        }
    }

    /**
     * SIGHUP: reloads the TLS files and [authorization] from {@code reread} (aim.ini read again). Open connections,
     * calls and streams go on; new handshakes and new calls use what was reloaded. Returns the failures (each kept
     * the previous version), empty when everything was reloaded.
     */
    public synchronized List<String> reloadSecurity(AimSettings reread) {
        if (server == null) {
            throw new IllegalStateException("not started");
        }
        return security.reload(reread);
    }

    private Optional<MetricsEndpoint.Certificate> serverCertificate() {
        return serverSettings.tlsCertificate().map(chain -> new MetricsEndpoint.Certificate(chain,
                serverSettings.tlsKey().get()));
    }

    private String security() {
        if (serverSettings.mutualTls()) {
            return "mutual TLS (client certificates required; roles from [authorization])";
        }
        return serverSettings.tls() ? "TLS" : "plaintext";
    }

    @SuppressWarnings("deprecation")
    private static BindableService legacyReflection() {
        // v1alpha: older grpcurl versions only speak this one
        return io.grpc.protobuf.services.ProtoReflectionService.newInstance();
    }

    static boolean loopback(String address) {
        try {
            return InetAddress.getByName(address).isLoopbackAddress();
        } catch (UnknownHostException unknown) {
            return false;
        }
    }

    private String nodeAddress() {
        String address = serverSettings.address();
        try {
            if (!InetAddress.getByName(address).isAnyLocalAddress()) {
                return address;
            }
            return InetAddress.getLocalHost().getHostAddress();
        } catch (UnknownHostException unknown) {
            return address;
        }
    }

    private static String hostname() {
        try {
            return InetAddress.getLocalHost().getHostName();
        } catch (UnknownHostException unknown) {
            String fromEnvironment = System.getenv("HOSTNAME");
            return fromEnvironment == null ? "localhost" : fromEnvironment;
        }
    }

    private static ThreadFactory named(String prefix, boolean daemon) {
        AtomicInteger counter = new AtomicInteger();
        return runnable -> {
            Thread thread = new Thread(runnable, prefix + counter.incrementAndGet());
            thread.setDaemon(daemon);
            return thread;
        };
    }
}
