package com.abiquo.aim.network;

import com.abiquo.aim.core.command.CommandRunner;
import com.abiquo.aim.core.config.ConfigException;
import com.abiquo.aim.core.config.ConfigSchema;
import com.abiquo.aim.core.metrics.NodeMetrics;
import com.abiquo.aim.core.module.AimModule;
import com.abiquo.aim.core.module.ModuleContext;
import com.abiquo.aim.network.grpc.VlanGrpcService;
import io.grpc.BindableService;
import java.util.List;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.Logger;

/** The network module: the VLAN service over iproute2 and ifcfg files. Found by ServiceLoader. */
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
    public void start(ModuleContext context) throws ConfigException {
        VlanConfig config = VlanConfig.from(context.settings(), context.configFolder());
        IpTool ip = new IpTool(new CommandRunner(), config.namespace(), config.commandTimeout());
        VlanManager manager = new VlanManager(ip, new IfcfgFiles(config.networkScripts()), context.health(),
                new VlanManager.Ifup(config.useIfup(), "ifup", "ifdown"));
        LOG.info("VLAN service: ifcfg files in {}, commands in the {}{}", config.networkScripts(), ip.where(),
                config.useIfup() ? ", with ifup/ifdown" : "");
        NodeMetrics.of(context).add(manager.metrics());
        manager.startUp(config.restoreOnStart());
        service = new VlanGrpcService(manager);
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
