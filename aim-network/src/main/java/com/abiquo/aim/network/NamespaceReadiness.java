package com.abiquo.aim.network;

import static java.util.Objects.requireNonNull;

import com.abiquo.aim.core.error.AimException;
import com.abiquo.aim.core.module.HealthReporter;
import java.util.concurrent.atomic.AtomicBoolean;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.Logger;

/**
 * Whether the VLAN service can serve: its namespace exists. Keeps the service's health in step as the namespace
 * disappears and comes back, and restores the VLANs (when [vlan] restoreOnStart asks for it) once the namespace
 * is there again, since a namespace made again is empty.
 */
final class NamespaceReadiness {
    // VlanManager's logger, as before this class was split out of it: operators' log filters keep matching
    private static final Logger LOG = LogManager.getLogger(VlanManager.class);

    private final IpTool ip;
    private final HealthReporter health;
    private final VlanRestore restore;
    private final AtomicBoolean ready = new AtomicBoolean();
    private final AtomicBoolean restorePending = new AtomicBoolean();
    private volatile boolean restoreOnStart;

    NamespaceReadiness(IpTool ip, HealthReporter health, VlanRestore restore) {
        this.ip = requireNonNull(ip, "ip is null");
        this.health = requireNonNull(health, "health is null");
        this.restore = requireNonNull(restore, "restore is null");
    }

    /** See {@link VlanManager#startUp}. */
    void startUp(boolean restoreOnStart) {
        this.restoreOnStart = restoreOnStart;
        if (!ip.namespaceExists()) {
            String why = "the " + ip.where() + " ([vlan] namespace) does not exist";
            health.notServing(VlanManager.SERVICE, why);
            restorePending.set(restoreOnStart);
            LOG.warn("VLAN service not serving: {}; create it with `ip netns add {}`{}", why,
                    ip.namespace().orElse(""), restoreOnStart ? " (VLANs will be restored once it exists)" : "");
            return;
        }
        ready.set(true);
        health.serving(VlanManager.SERVICE);
        if (restoreOnStart) {
            restore.restoreAndLog();
        }
    }

    /** Fails with NAMESPACE_MISSING when the namespace is gone; runs the pending restore when it is back. */
    void ensureReady() throws AimException {
        try {
            ip.requireNamespace();
        } catch (AimException missing) {
            if (ready.getAndSet(false)) {
                // a namespace made again is empty, like a node after a reboot: restore it when it is back
                restorePending.set(restoreOnStart);
                health.notServing(VlanManager.SERVICE, missing.getMessage());
                LOG.warn("VLAN service not serving: {}", missing.getMessage());
            }
            throw missing;
        }
        if (!ready.getAndSet(true)) {
            health.serving(VlanManager.SERVICE);
            LOG.info("VLAN service serving: the {} exists now", ip.where());
            if (restorePending.getAndSet(false)) {
                restore.restoreAndLog();
            }
        }
    }
}
