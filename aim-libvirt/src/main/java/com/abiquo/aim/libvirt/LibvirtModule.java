package com.abiquo.aim.libvirt;

import com.abiquo.aim.core.config.AimSettings;
import com.abiquo.aim.core.config.ConfigException;
import com.abiquo.aim.core.config.ConfigSchema;
import com.abiquo.aim.core.metrics.NodeMetrics;
import com.abiquo.aim.core.module.AimModule;
import com.abiquo.aim.core.module.ModuleContext;
import com.abiquo.aim.core.spi.LibvirtAccess;
import com.abiquo.aim.core.spi.StoragePoolOperations;
import com.abiquo.aim.libvirt.connection.ConnectionMetrics;
import com.abiquo.aim.libvirt.connection.DomainEventSource;
import com.abiquo.aim.libvirt.connection.LibvirtConnection;
import com.abiquo.aim.libvirt.domain.DomainOperations;
import com.abiquo.aim.libvirt.metrics.DomainMetricFamilies;
import com.abiquo.aim.libvirt.metrics.MetricsCollector;
import com.abiquo.aim.libvirt.metrics.MetricsStore;
import com.abiquo.aim.libvirt.node.NodeInfoReader;
import com.abiquo.aim.libvirt.service.LibvirtGrpcService;
import io.grpc.BindableService;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.Logger;

/**
 * The libvirt module: owns the node's libvirt connection, publishes it ({@link LibvirtAccess} for aim-storage,
 * {@link DomainEventSource} for the EventsMonitor) and serves the Libvirt gRPC service. Starts before the modules
 * that use what it publishes.
 */
public final class LibvirtModule implements AimModule {
    private static final Logger LOG = LogManager.getLogger(LibvirtModule.class);
    /** How long start-up waits for the first connection; libvirtd's first open can take seconds. */
    private static final Duration FIRST_CONNECT_WAIT = Duration.ofSeconds(15);

    private final List<BindableService> services = new ArrayList<>();
    private LibvirtConnection connection;
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
    }

    @Override
    public void start(ModuleContext context) throws ConfigException {
        LibvirtConfig config = LibvirtConfig.read(context.settings());
        connection = new LibvirtConnection(config.connection(), context.health());
        context.registry().publish(DomainEventSource.class, connection);
        context.registry().publish(LibvirtAccess.class, connection);
        connection.start(FIRST_CONNECT_WAIT);

        MetricsStore metrics = new MetricsStore(config.retention());
        collector = new MetricsCollector(connection, metrics, config.collectFrequency(), config.refreshFrequency(),
                Clock.systemUTC());
        collector.start();
        NodeMetrics.of(context).add(new ConnectionMetrics(connection));
        NodeMetrics.of(context).add(new DomainMetricFamilies(collector.latest()));
        services.add(new LibvirtGrpcService(new DomainOperations(connection), new NodeInfoReader(connection), metrics,
                config.collectFrequency(), () -> context.registry().lookup(StoragePoolOperations.class)));
    }

    @Override
    public List<BindableService> services() {
        return List.copyOf(services);
    }

    @Override
    public void stop() {
        if (collector != null) {
            collector.close();
        }
        if (connection != null) {
            connection.close();
        }
    }
}
