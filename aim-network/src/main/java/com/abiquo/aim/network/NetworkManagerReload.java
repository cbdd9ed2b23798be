package com.abiquo.aim.network;

import static java.util.Objects.requireNonNull;

import com.abiquo.aim.core.command.CommandResult;
import com.abiquo.aim.core.command.CommandRunner;
import com.abiquo.aim.core.error.AimException;
import java.time.Duration;
import java.util.List;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.Logger;

/**
 * Tells a running NetworkManager that keyfiles changed ({@code nmcli connection reload}), so that it knows AIM's
 * connections now and not only at the next boot. Where NetworkManager does not run (or nmcli is not installed)
 * nothing is done: it reads the files when it starts. nmcli talks to NetworkManager over D-Bus, so it runs outside
 * AIM's network namespace. Never fails: the files are written either way, and a failed reload is logged.
 *
 * @param nmcli the nmcli program ([vlan] nmcli); empty = never call it
 */
public record NetworkManagerReload(CommandRunner runner, String nmcli, Duration timeout) {
    private static final Logger LOG = LogManager.getLogger(NetworkManagerReload.class);

    public NetworkManagerReload {
        requireNonNull(runner, "runner is null");
        requireNonNull(nmcli, "nmcli is null");
        requireNonNull(timeout, "timeout is null");
    }

    public static NetworkManagerReload never() {
        return new NetworkManagerReload(new CommandRunner(), "", Duration.ofSeconds(1));
    }

    /** Whether NetworkManager runs: {@code nmcli -t -f RUNNING general} says "running" (exit 8 when it does not). */
    public boolean running() {
        if (nmcli.isEmpty()) {
            return false;
        }
        try {
            CommandResult result = runner.run(List.of(nmcli, "-t", "-f", "RUNNING", "general"), timeout);
            return result.succeeded() && result.stdout().strip().equals("running");
        } catch (AimException notInstalled) {
            return false;
        }
    }

    /** @return whether a reload ran and succeeded */
    public boolean reloadIfRunning() {
        if (!running()) {
            return false;
        }
        try {
            runner.runChecked(List.of(nmcli, "connection", "reload"), timeout,
                    io.grpc.Status.Code.FAILED_PRECONDITION, VlanErrorReason.NMCLI_RELOAD_FAILED);
            LOG.info("NetworkManager reloaded its connection files");
            return true;
        } catch (AimException failure) {
            LOG.warn("NetworkManager did not reload its connection files (they are read at its next start): {}",
                    failure.getMessage());
            return false;
        }
    }
}
