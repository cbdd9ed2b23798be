package com.abiquo.aim.network;

import com.abiquo.aim.core.command.CommandRunner;
import com.abiquo.aim.core.config.AimSettings;
import com.abiquo.aim.core.config.ConfigException;
import com.abiquo.aim.core.config.ConfigSchema;
import com.abiquo.aim.core.metrics.NodeMetrics;
import com.abiquo.aim.core.module.AimModule;
import com.abiquo.aim.core.module.ModuleContext;
import com.abiquo.aim.network.grpc.VlanGrpcService;
import io.grpc.BindableService;
import java.nio.file.Path;
import java.util.List;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.Logger;

/**
 * The network module: the VLAN service over iproute2, kept across reboots in ifcfg files or NetworkManager keyfiles.
 * Found by ServiceLoader.
 */
public final class NetworkModule implements AimModule {
    private static final Logger LOG = LogManager.getLogger(NetworkModule.class);

    private VlanGrpcService service;

    @Override
    public String name() {
        return "network";
    }

    @Override
    public ConfigSchema configSchema() {
        return VlanConfig.schema();
    }

    @Override
    public void checkConfig(AimSettings settings, Path configFolder) throws ConfigException {
        VlanConfig.from(settings, configFolder);
    }

    @Override
    public void start(ModuleContext context) throws ConfigException {
        VlanConfig config = VlanConfig.from(context.settings(), context.configFolder());
        CommandRunner runner = new CommandRunner();
        IpTool ip = new IpTool(runner, config.namespace(), config.commandTimeout());
        NetworkFiles files = persistence(config, runner);
        VlanManager manager = new VlanManager(ip, files, context.health(),
                new VlanManager.Ifup(config.useIfup(), "ifup", "ifdown"));
        LOG.info("VLAN service: files in {} ([vlan] {}), commands in the {}{}", files.folder(), files.configKey(),
                ip.where(), config.useIfup() ? ", with ifup/ifdown" : "");
        NodeMetrics.of(context).add(manager.metrics());
        manager.startUp(config.restoreOnStart());
        service = new VlanGrpcService(manager);
    }

    /** ifcfg files or keyfiles, as [vlan] persistence says; with keyfiles, AIM's ifcfg files are migrated first. */
    private static NetworkFiles persistence(VlanConfig config, CommandRunner runner) {
        PersistenceChoice choice = config.useIfup()
                ? new PersistenceChoice(PersistenceChoice.Format.IFCFG, "[vlan] useIfup is true: ifup reads ifcfg "
                        + "files")
                : PersistenceChoice.resolve(config.persistence(), config.keyfileFolder(), config.osRelease());
        LOG.info("VLAN persistence: {} ({})", choice.format() == PersistenceChoice.Format.KEYFILE
                ? "NetworkManager keyfiles" : "ifcfg files", choice.reason());
        IfcfgFiles ifcfg = new IfcfgFiles(config.networkScripts());
        if (choice.format() != PersistenceChoice.Format.KEYFILE) {
            return ifcfg;
        }
        KeyfileFiles keyfiles = new KeyfileFiles(config.keyfileFolder(),
                new NetworkManagerReload(runner, config.nmcli(), config.commandTimeout()));
        if (config.migrateIfcfg()) {
            new IfcfgMigration(ifcfg, keyfiles).migrateAndLog();
        }
        return keyfiles;
    }

    @Override
    public List<BindableService> services() {
        if (service == null) {
            throw new IllegalStateException("services() before start()");
        }
        return List.of(service);
    }

    @Override
    public void stop() {
        // unary calls only: nothing to end
    }
}
