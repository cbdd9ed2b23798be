package com.abiquo.aim.network;

import static java.util.Objects.requireNonNull;

import com.abiquo.aim.core.command.CommandResult;
import com.abiquo.aim.core.command.CommandRunner;
import com.abiquo.aim.core.error.AimException;
import com.abiquo.aim.core.error.ErrorReason;
import io.grpc.Status;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * iproute2's {@code ip}, run through aim-core's {@link CommandRunner} (argument arrays, no shell, a timeout), in
 * the configured network namespace when there is one ({@code ip -n NS ...}; other programs through
 * {@code ip netns exec NS ...}). Every name reaching here was validated by {@link InterfaceNames}.
 */
public class IpTool {
    /** Where {@code ip netns add} makes namespaces. */
    static final Path NETNS_FOLDER = Path.of("/run/netns");

    private final CommandRunner runner;
    private final Optional<String> namespace;
    private final Duration timeout;

    public IpTool(CommandRunner runner, Optional<String> namespace, Duration timeout) {
        this.runner = requireNonNull(runner, "runner is null");
        this.namespace = requireNonNull(namespace, "namespace is null");
        this.timeout = requireNonNull(timeout, "timeout is null");
    }

    public Optional<String> namespace() {
        return namespace;
    }

    /** Where commands run, for messages; callers put "the" before it ("exists in the " + where()). */
    public String where() {
        return namespace.map(name -> "network namespace \"" + name + "\"").orElse("host's network namespace");
    }

    public boolean namespaceExists() {
        return namespace.map(name -> Files.exists(NETNS_FOLDER.resolve(name))).orElse(true);
    }

    public void requireNamespace() throws AimException {
        if (!namespaceExists()) {
            throw new AimException(Status.Code.FAILED_PRECONDITION, VlanErrorReason.NAMESPACE_MISSING, "the " + where()
                    + " ([vlan] namespace) does not exist; create it with `ip netns add " + namespace.get() + "`",
                    Map.of("namespace", namespace.get()), null);
        }
    }

    /** Every link of the namespace by name, in the kernel's order. */
    public Map<String, LinkInfo> links() throws AimException {
        CommandResult result = runner.runChecked(ip("-json", "-details", "link", "show"), timeout,
                Status.Code.FAILED_PRECONDITION, VlanErrorReason.LINK_LIST_FAILED);
        Map<String, LinkInfo> links = new LinkedHashMap<>();
        try {
            for (LinkInfo link : IpLinkParser.parse(result.stdout())) {
                links.put(link.name(), link);
            }
        } catch (IllegalArgumentException unreadable) {
            throw AimException.internal(VlanErrorReason.LINK_LIST_UNREADABLE,
                    "cannot read the links of the " + where() + ": "
                    + unreadable.getMessage(), unreadable);
        }
        return links;
    }

    public void addBridge(String bridge) throws AimException {
        step("create bridge " + bridge, VlanErrorReason.BRIDGE_STEP_FAILED, "link", "add", "name", bridge, "type",
                "bridge");
    }

    public void addVlan(VlanSpec spec) throws AimException {
        step("create VLAN interface " + spec.device() + " (tag " + spec.tag() + " on " + spec.parent() + ")",
                VlanErrorReason.VLAN_STEP_FAILED, "link", "add", "link", spec.parent(), "name", spec.device(), "type",
                        "vlan",
                "id", Integer.toString(spec.tag()));
    }

    public void setMaster(String device, String bridge) throws AimException {
        step("attach " + device + " to bridge " + bridge, VlanErrorReason.ATTACH_STEP_FAILED, "link", "set", "dev",
                device,
                "master", bridge);
    }

    public void setNoMaster(String device) throws AimException {
        step("detach " + device + " from its bridge", VlanErrorReason.DETACH_STEP_FAILED, "link", "set", "dev", device,
                "nomaster");
    }

    public void setUp(String device) throws AimException {
        step("bring " + device + " up", VlanErrorReason.LINK_UP_STEP_FAILED, "link", "set", "dev", device, "up");
    }

    public void setDown(String device) throws AimException {
        step("bring " + device + " down", VlanErrorReason.LINK_DOWN_STEP_FAILED, "link", "set", "dev", device, "down");
    }

    public void delete(String device) throws AimException {
        step("delete " + device, VlanErrorReason.DELETE_STEP_FAILED, "link", "delete", "dev", device);
    }

    /** Runs another program (ifup, ifdown) inside the namespace. */
    public void runProgram(String step, ErrorReason reason, String... command) throws AimException {
        List<String> full = new ArrayList<>();
        namespace.ifPresent(name -> full.addAll(List.of("ip", "netns", "exec", name)));
        full.addAll(List.of(command));
        run(step, reason, full);
    }

    /** The ip tool's version line, e.g. "ip utility, iproute2-6.1.0, libbpf 1.1.2". */
    public String version() throws AimException {
        CommandResult result = runner.runChecked(List.of("ip", "-V"), timeout, Status.Code.FAILED_PRECONDITION,
                VlanErrorReason.IP_TOOL_FAILED);
        return result.stdout().strip();
    }

    /** Runs {@code ip ARGS} and answers its result, whatever the exit status (for probes). */
    CommandResult tryIp(String... arguments) throws AimException {
        return runner.run(ip(arguments), timeout);
    }

    private void step(String step, ErrorReason reason, String... arguments) throws AimException {
        run(step, reason, ip(arguments));
    }

    private void run(String step, ErrorReason reason, List<String> command) throws AimException {
        CommandResult result;
        try {
            result = runner.run(command, timeout);
        } catch (AimException notRun) {   // timed out, or the program is missing: say which step it was
            Map<String, String> metadata = new java.util.HashMap<>(notRun.metadata());
            metadata.put("step", step);
            throw new AimException(notRun.code(), notRun.reason(), "step \"" + step + "\" failed in the " + where()
                    + ": " + notRun.getMessage(), metadata, notRun.getCause());
        }
        if (!result.succeeded()) {
            String error = (result.stderr().isBlank() ? result.stdout() : result.stderr()).strip();
            throw new AimException(Status.Code.FAILED_PRECONDITION, reason, "step \"" + step + "\" failed in the "
                    + where() + ": " + String.join(" ", command) + " exited " + result.exitCode() + ": " + error,
                    Map.of("step", step, "exit_code", Integer.toString(result.exitCode())), null);
        }
    }

    private List<String> ip(String... arguments) {
        List<String> command = new ArrayList<>();
        command.add("ip");
        namespace.ifPresent(name -> {
            command.add("-n");
            command.add(name);
        });
        command.addAll(List.of(arguments));
        return command;
    }
}
