package com.abiquo.aim.network;

import static java.util.Objects.requireNonNull;

import com.abiquo.aim.core.command.CommandResult;
import com.abiquo.aim.core.error.AimException;
import com.abiquo.aim.network.VlanManager.Check;
import com.abiquo.aim.network.VlanManager.CheckKind;
import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.TreeSet;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Finds out what the node lacks to serve VLANs (CheckVlanConfiguration): the ip tool, the namespace, 802.1Q and
 * bridge support in the kernel (a probe bridge "aimprobe*" with a VLAN on it, deleted right after), a writable
 * scripts folder, and ifup/ifdown when they are configured.
 */
final class RequirementsProbe {
    private final IpTool ip;
    private final NetworkFiles files;
    private final VlanManager.Ifup ifup;

    RequirementsProbe(IpTool ip, NetworkFiles files, VlanManager.Ifup ifup) {
        this.ip = requireNonNull(ip, "ip is null");
        this.files = requireNonNull(files, "files is null");
        this.ifup = requireNonNull(ifup, "ifup is null");
    }

    List<Check> check() {
        List<Check> checks = new ArrayList<>();
        String ipProblem = null;
        try {
            checks.add(new Check(CheckKind.IP_TOOL, true, ip.version()));
        } catch (AimException failure) {
            ipProblem = "the ip tool (iproute2) cannot run: " + failure.getMessage();
            checks.add(new Check(CheckKind.IP_TOOL, false, ipProblem));
        }
        boolean namespaceOk = ip.namespaceExists();
        checks.add(new Check(CheckKind.NAMESPACE, namespaceOk, ip.namespace().isEmpty()
                ? "none configured: commands run in the host's network namespace"
                : namespaceOk ? "the " + ip.where() + " exists"
                : "the " + ip.where() + " does not exist; create it with `ip netns add " + ip.namespace().get()
                + "`"));
        if (ipProblem != null || !namespaceOk) {
            String why = "not checked: " + (ipProblem != null ? "the ip tool cannot run" : "no namespace");
            checks.add(new Check(CheckKind.VLAN_SUPPORT, false, why));
            checks.add(new Check(CheckKind.BRIDGE_SUPPORT, false, why));
        } else {
            checks.addAll(probeKernel());
        }
        checks.add(checkScriptsFolder());
        if (ifup.enabled()) {
            checks.add(checkIfupTools());
        }
        return checks;
    }

    private List<Check> probeKernel() {
        String probe = "aimprobe" + String.format("%05x", ThreadLocalRandom.current().nextInt(1 << 20));
        List<Check> checks = new ArrayList<>();
        try {
            CommandResult bridge = ip.tryIp("link", "add", "name", probe, "type", "bridge");
            Check vlanCheck;
            if (Files.exists(Path.of("/proc/net/vlan/config"))) {
                vlanCheck = new Check(CheckKind.VLAN_SUPPORT, true, "802.1Q is loaded (/proc/net/vlan/config)");
            } else if (!bridge.succeeded()) {
                vlanCheck = new Check(CheckKind.VLAN_SUPPORT, false, "the 8021q module is not loaded and could not "
                        + "be probed without a bridge");
            } else {
                CommandResult vlan = ip.tryIp("link", "add", "link", probe, "name", probe + ".1", "type", "vlan",
                        "id", "1");
                vlanCheck = new Check(CheckKind.VLAN_SUPPORT, vlan.succeeded(), vlan.succeeded()
                        ? "802.1Q works (a probe VLAN was created and deleted)"
                        : "the kernel has no 802.1Q support: `ip link add ... type vlan` answered \""
                        + output(vlan) + "\" (load the 8021q module: modprobe 8021q)");
            }
            checks.add(vlanCheck);
            checks.add(new Check(CheckKind.BRIDGE_SUPPORT, bridge.succeeded(), bridge.succeeded()
                    ? "Linux bridges work (a probe bridge was created and deleted)"
                    : "cannot create a Linux bridge: `ip link add ... type bridge` answered \"" + output(bridge)
                    + "\" (load the bridge module: modprobe bridge)"));
            if (bridge.succeeded()) {
                ip.tryIp("link", "delete", "dev", probe);
            }
        } catch (AimException failure) {
            checks.add(new Check(CheckKind.VLAN_SUPPORT, false, "probe failed: " + failure.getMessage()));
            checks.add(new Check(CheckKind.BRIDGE_SUPPORT, false, "probe failed: " + failure.getMessage()));
        }
        return checks;
    }

    private Check checkScriptsFolder() {
        Path folder = files.folder();
        if (!Files.isDirectory(folder)) {
            return new Check(CheckKind.SCRIPTS_FOLDER, false, folder + " ([vlan] " + files.configKey() + ") "
                    + (Files.exists(folder) ? "is not a folder" : "does not exist"));
        }
        try {
            Path probe = Files.createTempFile(folder, ".aim-check-", ".tmp");
            Files.delete(probe);
            return new Check(CheckKind.SCRIPTS_FOLDER, true, folder + " is writable");
        } catch (IOException | SecurityException failure) {
            return new Check(CheckKind.SCRIPTS_FOLDER, false, folder + " ([vlan] " + files.configKey() + ") is not "
                    + "writable: " + failure.getMessage());
        }
    }

    private Check checkIfupTools() {
        List<String> missing = new ArrayList<>();
        List<String> found = new ArrayList<>();
        for (String program : List.of(ifup.ifupProgram(), ifup.ifdownProgram())) {
            Optional<Path> path = findProgram(program);
            if (path.isPresent()) {
                found.add(path.get().toString());
            } else {
                missing.add(program);
            }
        }
        return missing.isEmpty() ? new Check(CheckKind.IFUP_TOOLS, true, String.join(", ", found))
                : new Check(CheckKind.IFUP_TOOLS, false, String.join(" and ", missing) + " not found ([vlan] "
                + "useIfup is true): install the distribution's initscripts or set useIfup = false");
    }

    private static Optional<Path> findProgram(String program) {
        if (program.contains("/")) {
            return Files.isExecutable(Path.of(program)) ? Optional.of(Path.of(program)) : Optional.empty();
        }
        TreeSet<String> seen = new TreeSet<>();
        List<String> folders = new ArrayList<>(List.of(System.getenv().getOrDefault("PATH", "").split(
                File.pathSeparator)));
        folders.addAll(List.of("/sbin", "/usr/sbin"));
        for (String folder : folders) {
            if (!folder.isEmpty() && seen.add(folder) && Files.isExecutable(Path.of(folder, program))) {
                return Optional.of(Path.of(folder, program));
            }
        }
        return Optional.empty();
    }

    private static String output(CommandResult result) {
        return (result.stderr().isBlank() ? result.stdout() : result.stderr()).strip();
    }
}
