package com.abiquo.aim.storage.iscsi;

import static java.util.Objects.requireNonNull;

import com.abiquo.aim.core.command.CommandResult;
import com.abiquo.aim.core.command.CommandRunner;
import com.abiquo.aim.core.error.AimException;
import com.abiquo.aim.core.iscsi.Portal;
import com.abiquo.aim.storage.StorageErrorReason;
import io.grpc.Status;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** libiscsi's {@code iscsi-ls}: SendTargets discovery from user space, without the kernel initiator. */
public final class IscsiLs {
    private static final Pattern TARGET_LINE = Pattern.compile("^Target:(\\S+)\\s+Portal:(\\S+)$");
    private final CommandRunner commands;
    private final Duration timeout;

    public IscsiLs(CommandRunner commands, Duration timeout) {
        this.commands = requireNonNull(commands, "commands is null");
        this.timeout = requireNonNull(timeout, "timeout is null");
    }

    /** @param initiatorIqn the name to present to the portal (already validated) */
    public List<KernelInitiator.Target> discover(Portal portal, String initiatorIqn) throws AimException {
        CommandResult result = commands.runChecked(List.of("iscsi-ls", "-i", initiatorIqn,
                "iscsi://" + portal + "/"), timeout, Status.Code.FAILED_PRECONDITION,
                        StorageErrorReason.ISCSI_DISCOVERY_FAILED);
        return parse(result.stdout());
    }

    /** Parses "Target:iqn... Portal:host:port,tpgt" lines. */
    static List<KernelInitiator.Target> parse(String output) {
        Map<String, List<String>> targets = new LinkedHashMap<>();
        for (String line : output.split("\n")) {
            Matcher match = TARGET_LINE.matcher(line.strip());
            if (match.matches()) {
                targets.computeIfAbsent(match.group(1), key -> new ArrayList<>()).add(match.group(2));
            }
        }
        List<KernelInitiator.Target> list = new ArrayList<>();
        targets.forEach((iqn, portals) -> list.add(new KernelInitiator.Target(iqn, List.copyOf(portals))));
        return list;
    }
}
