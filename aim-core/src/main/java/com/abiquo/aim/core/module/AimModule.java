package com.abiquo.aim.core.module;

import com.abiquo.aim.core.config.AimSettings;
import com.abiquo.aim.core.config.ConfigException;
import com.abiquo.aim.core.config.ConfigSchema;
import io.grpc.BindableService;
import java.nio.file.Path;
import java.util.List;

/**
 * A service module (libvirt, network, storage, rimp) as the server sees it. Modules are found with
 * {@link java.util.ServiceLoader} ({@code META-INF/services/com.abiquo.aim.core.module.AimModule}), so the server
 * wires them without any module knowing another.
 *
 * <p>Life cycle: {@link #configSchema()} (before the file is validated), {@link #checkConfig}, {@link #start}
 * (read config, open resources, publish shared interfaces), {@link #services()} (bound to the gRPC server),
 * {@link #stop} on shutdown.
 */
public interface AimModule {
    /** Short name used in logs, e.g. "rimp". */
    String name();

    /** The aim.ini sections and keys this module reads. */
    ConfigSchema configSchema();

    /**
     * Reads this module's settings as {@link #start} will, without starting or touching anything, so that
     * {@code --check-config} and start-up refuse a bad value before any module starts. Throws at the first bad
     * value (the server finds the others by asking again without it).
     */
    default void checkConfig(AimSettings settings, Path configFolder) throws ConfigException {
    }

    /**
     * Reads this module's settings and prepares its services. A bad setting is a {@link ConfigException}; a missing
     * system dependency (libvirtd down, no repository) must NOT fail start-up: report it through
     * {@link ModuleContext#health()} and answer UNAVAILABLE/FAILED_PRECONDITION until it is there.
     */
    void start(ModuleContext context) throws ConfigException;

    /** The gRPC services to serve; called after {@link #start}. */
    List<BindableService> services();

    /**
     * Order of start-up: lower first. Modules that publish shared interfaces (libvirt) start before those that
     * use them, although users should look shared interfaces up at call time, not at start.
     */
    default int startOrder() {
        return 100;
    }

    /**
     * Stops the module. Called after the server stopped accepting new calls: the module ends its open streams with
     * UNAVAILABLE, finishes or cleanly cancels running work (copies remove their temporaries) and returns within a
     * few seconds.
     */
    void stop();
}
