package com.abiquo.aim.network;

import com.abiquo.aim.core.command.CommandResult;
import com.abiquo.aim.core.command.CommandRunner;
import com.abiquo.aim.core.error.AimException;
import com.abiquo.aim.core.module.HealthReporter;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A network namespace made for one test (named "aimnet-PID-N" so parallel runs and other modules never collide),
 * deleted with everything in it on close. The host's own links are never touched.
 */
final class TestNamespace implements AutoCloseable {
    private static final AtomicInteger COUNTER = new AtomicInteger();
    private static final CommandRunner RUNNER = new CommandRunner();
    /** For clean-up steps that may fail harmlessly. */
    static final CommandRunner RUNNER_FOR_CLEANUP = RUNNER;
    private static final Duration TIMEOUT = Duration.ofSeconds(20);

    final String name;

    TestNamespace() throws AimException {
        this("aimnet-" + ProcessHandle.current().pid() + "-" + COUNTER.incrementAndGet());
    }

    private TestNamespace(String name) throws AimException {
        this.name = name;
        run("ip", "netns", "add", name);
        ip("link", "set", "lo", "up");
    }

    /** Runs {@code ip -n NS ARGS} and fails the test when it fails. */
    void ip(String... arguments) throws AimException {
        List<String> command = new ArrayList<>(List.of("ip", "-n", name));
        command.addAll(List.of(arguments));
        run(command.toArray(String[]::new));
    }

    /** A veth pair; the first end plays a physical NIC, the second a VM's tap. */
    void veth(String a, String b) throws AimException {
        ip("link", "add", a, "type", "veth", "peer", "name", b);
    }

    Map<String, LinkInfo> links() throws AimException {
        return ipTool().links();
    }

    IpTool ipTool() {
        return new IpTool(RUNNER, Optional.of(name), TIMEOUT);
    }

    VlanManager manager(Path scripts, HealthReporter health) {
        return new VlanManager(ipTool(), new IfcfgFiles(scripts), health, VlanManager.Ifup.off());
    }

    static CommandResult run(String... command) throws AimException {
        CommandResult result = RUNNER.run(List.of(command), TIMEOUT);
        if (!result.succeeded()) {
            throw new AssertionError(String.join(" ", command) + " failed: " + result.stderr());
        }
        return result;
    }

    @Override
    public void close() throws AimException {
        RUNNER.run(List.of("ip", "netns", "delete", name), TIMEOUT);
    }
}
