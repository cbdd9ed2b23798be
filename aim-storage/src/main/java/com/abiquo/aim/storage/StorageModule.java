package com.abiquo.aim.storage;

import com.abiquo.aim.core.command.CommandRunner;
import com.abiquo.aim.core.config.AimSettings;
import com.abiquo.aim.core.config.ConfigException;
import com.abiquo.aim.core.config.ConfigSchema;
import com.abiquo.aim.core.metrics.NodeMetrics;
import com.abiquo.aim.core.module.AimModule;
import com.abiquo.aim.core.module.ModuleContext;
import com.abiquo.aim.core.spi.LibvirtAccess;
import com.abiquo.aim.core.spi.StoragePoolOperations;
import com.abiquo.aim.storage.grpc.StorageGrpcService;
import com.abiquo.aim.storage.iscsi.InitiatorName;
import com.abiquo.aim.storage.iscsi.IscsiTargets;
import com.abiquo.aim.storage.iscsi.KernelInitiator;
import com.abiquo.aim.storage.iscsi.TargetRescanner;
import com.abiquo.aim.storage.pool.LibvirtStoragePools;
import io.grpc.BindableService;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.Logger;

/**
 * The storage module: publishes the node's one {@link StoragePoolOperations} (libvirt pools and volumes, used by the
 * Libvirt service too) and serves {@code abiquo.aim.v1.StorageService}.
 */
public final class StorageModule implements AimModule {
    static final String SERVICE_NAME = "abiquo.aim.v1.StorageService";
    private static final Logger LOG = LogManager.getLogger(StorageModule.class);
    private volatile StorageGrpcService service;
    private volatile LibvirtStoragePools pools;

    @Override
    public String name() {
        return "storage";
    }

    @Override
    public ConfigSchema configSchema() {
        return StorageConfig.schema();
    }

    @Override
    public void checkConfig(AimSettings settings, Path configFolder) throws ConfigException {
        StorageConfig.from(settings, configFolder);
    }

    @Override
    public void start(ModuleContext context) throws ConfigException {
        StorageConfig config = StorageConfig.from(context.settings(), context.configFolder());
        // Looked up at every call: aim-libvirt may publish its connection after this module starts.
        InitiatorName initiatorName = new InitiatorName(config.initiatorNameFile());
        pools = new LibvirtStoragePools(() -> context.registry().lookup(LibvirtAccess.class),
                config.commandTimeout(), initiatorName);
        // Temporary pools and CHAP secrets of probes whose clean-up was lost (the agent stopped, libvirtd went away):
        // removed in the background, now or once libvirt is there.
        pools.removeProbeLeftovers();
        context.registry().publish(StoragePoolOperations.class, pools);
        CommandRunner commands = new CommandRunner();
        KernelInitiator kernel = new KernelInitiator(commands, config.commandTimeout(), Path.of("/sys"));
        TargetRescanner rescanner = new TargetRescanner(kernel, pools);
        NodeMetrics.of(context).add(rescanner.metrics());
        service = new StorageGrpcService(initiatorName, rescanner,
                new IscsiTargets(pools, kernel, commands, initiatorName, config.commandTimeout()), pools);
        // A missing initiator file or libvirtd only limits some RPCs, which say so themselves; the service serves.
        if (!Files.isRegularFile(config.initiatorNameFile())) {
            LOG.warn("iSCSI initiator name file {} does not exist: GetInitiatorIqn answers FAILED_PRECONDITION",
                    config.initiatorNameFile());
        }
        context.health().serving(SERVICE_NAME);
    }

    @Override
    public List<BindableService> services() {
        // Before start (or after a failed start) there is nothing to serve; never a list holding null.
        StorageGrpcService started = service;
        return started == null ? List.of() : List.of(started);
    }

    @Override
    public int startOrder() {
        return 200;
    }

    @Override
    public void stop() {
        LibvirtStoragePools running = pools;
        if (running != null) {
            running.close();
        }
    }
}
