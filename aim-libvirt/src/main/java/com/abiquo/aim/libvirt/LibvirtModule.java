package com.abiquo.aim.libvirt;

import com.abiquo.aim.core.config.AimSettings;
import com.abiquo.aim.core.config.ConfigException;
import com.abiquo.aim.core.config.ConfigSchema;
import com.abiquo.aim.core.config.StorageConfig;
import com.abiquo.aim.core.iscsi.InitiatorName;
import com.abiquo.aim.core.metrics.NodeMetrics;
import com.abiquo.aim.core.module.AimModule;
import com.abiquo.aim.core.module.ModuleContext;
import com.abiquo.aim.core.spi.StoragePoolOperations;
import com.abiquo.aim.libvirt.connection.ConnectionMetrics;
import com.abiquo.aim.libvirt.connection.DomainEventSource;
import com.abiquo.aim.libvirt.connection.LibvirtAccess;
import com.abiquo.aim.libvirt.connection.LibvirtConnection;
import com.abiquo.aim.libvirt.domain.DomainOperations;
import com.abiquo.aim.libvirt.metrics.DomainMetricFamilies;
import com.abiquo.aim.libvirt.metrics.MetricsCollector;
import com.abiquo.aim.libvirt.metrics.MetricsStore;
import com.abiquo.aim.libvirt.node.NodeInfoReader;
import com.abiquo.aim.libvirt.pool.LibvirtStoragePools;
import com.abiquo.aim.libvirt.service.LibvirtGrpcService;
import io.grpc.BindableService;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.Logger;

/**
 * The libvirt module: owns the node's libvirt connection and everything that talks to libvirt through it: domains,
 * node facts, metrics and the storage pools and volumes. Publishes the pools as {@link StoragePoolOperations} (for
 * aim-storage's iSCSI side and its own Libvirt service) and the connection as {@link DomainEventSource} (for the
 * EventsMonitor), and serves the Libvirt gRPC service. Starts before the modules that use what it publishes. The
 * pools read the [storage] section (declared by aim-storage): its command timeout and the node's initiator name.
 */
public final class LibvirtModule implements AimModule {
    private static final Logger LOG = LogManager.getLogger(LibvirtModule.class);
    /** How long start-up waits for the first connection; libvirtd's first open can take seconds. */
    private static final Duration FIRST_CONNECT_WAIT = Duration.ofSeconds(15);

    private final List<BindableService> services = new ArrayList<>();
    private LibvirtConnection connection;
    private LibvirtStoragePools pools;
    private MetricsCollector collector;

    @Override
    public String name() {
        return "libvirt";
    }

    @Override
    public ConfigSchema configSchema() {
        return LibvirtConfig.schema();
    }

    @Override
    public int startOrder() {
        return 10;
    }

    @Override
    public void checkConfig(AimSettings settings, Path configFolder) throws ConfigException {
        LibvirtConfig.read(settings);
        StorageConfig.from(settings, configFolder);
    }

    @Override
    public void start(ModuleContext context) throws ConfigException {
        LibvirtConfig config = LibvirtConfig.read(context.settings());
        connection = new LibvirtConnection(config.connection(), context.health());
        context.registry().publish(DomainEventSource.class, connection);
        // The connection itself, for tests that drive libvirt's test driver through the agent's own connection (its
        // state is private to a connection); modules use the plain-Java interfaces above.
        context.registry().publish(LibvirtAccess.class, connection);
        connection.start(FIRST_CONNECT_WAIT);

        StorageConfig storage = StorageConfig.from(context.settings(), context.configFolder());
        LibvirtConnection pooled = connection;
        LibvirtStoragePools storagePools = new LibvirtStoragePools(() -> Optional.of(pooled), storage.commandTimeout(),
                new InitiatorName(storage.initiatorNameFile()));
        // Temporary pools and CHAP secrets of probes whose clean-up was lost (the agent stopped, libvirtd went away):
        // removed in the background, now or once libvirt is there.
        storagePools.removeProbeLeftovers();
        pools = storagePools;
        context.registry().publish(StoragePoolOperations.class, storagePools);

        MetricsStore metrics = new MetricsStore(config.retention());
        collector = new MetricsCollector(connection, metrics, config.collectFrequency(), config.refreshFrequency(),
                Clock.systemUTC());
        collector.start();
        NodeMetrics.of(context).add(new ConnectionMetrics(connection));
        NodeMetrics.of(context).add(new DomainMetricFamilies(collector.latest()));
        services.add(new LibvirtGrpcService(new DomainOperations(connection), new NodeInfoReader(connection), metrics,
                config.collectFrequency(), () -> Optional.of(storagePools)));
    }

    @Override
    public List<BindableService> services() {
        return List.copyOf(services);
    }

    @Override
    public void stop() {
        if (pools != null) {
            pools.close();
        }
        if (collector != null) {
            collector.close();
        }
        if (connection != null) {
            connection.close();
        }
    }
}
