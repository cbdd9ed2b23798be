package com.abiquo.aim.storage;

import com.abiquo.aim.core.command.CommandRunner;
import com.abiquo.aim.core.config.AimSettings;
import com.abiquo.aim.core.config.ConfigException;
import com.abiquo.aim.core.config.ConfigSchema;
import com.abiquo.aim.core.config.StorageConfig;
import com.abiquo.aim.core.iscsi.InitiatorName;
import com.abiquo.aim.core.metrics.NodeMetrics;
import com.abiquo.aim.core.module.AimModule;
import com.abiquo.aim.core.module.ModuleContext;
import com.abiquo.aim.core.spi.StoragePoolOperations;
import com.abiquo.aim.storage.grpc.StorageGrpcService;
import com.abiquo.aim.storage.iscsi.IscsiTargets;
import com.abiquo.aim.storage.iscsi.KernelInitiator;
import com.abiquo.aim.storage.iscsi.LibvirtPools;
import com.abiquo.aim.storage.iscsi.TargetRescanner;
import io.grpc.BindableService;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.Logger;

/**
 * The storage module: the node's iSCSI side (initiator name, discovery, rescans, target LUNs, iSCSI pools) served as
 * {@code abiquo.aim.v1.StorageService}. Pools and volumes are libvirt's: aim-libvirt implements them and publishes
 * them as {@link StoragePoolOperations}, which this module looks up at every call.
 */
public final class StorageModule implements AimModule {
    static final String SERVICE_NAME = "abiquo.aim.v1.StorageService";
    private static final Logger LOG = LogManager.getLogger(StorageModule.class);
    private volatile StorageGrpcService service;

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
        InitiatorName initiatorName = new InitiatorName(config.initiatorNameFile());
        // Looked up at every call: the publisher may start after this module, or not be loaded.
        LibvirtPools pools = new LibvirtPools(() -> context.registry().lookup(StoragePoolOperations.class));
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
        // nothing of its own runs in the background
    }
}
