package com.abiquo.aim.dist;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Runs a package's scripts (the .deb's maintainer scripts, the .rpm's scriptlets) as the package manager would on
 * a systemd host. systemd does not run here, so each script runs in a private mount namespace whose /run has
 * {@code systemd/system} (what the scripts test for), with a stand-in {@code systemctl} (a named fake) first on
 * the PATH that records its arguments. Needs root (unshare --mount).
 */
final class SystemdHost {
    private final Path folder;

    SystemdHost(Path folder) throws Exception {
        this.folder = folder;
        Path bin = Files.createDirectories(folder.resolve("fake-bin"));
        Path systemctl = bin.resolve("systemctl");
        Files.writeString(systemctl, "#!/bin/sh\necho \"systemctl $*\" >> \"$SYSTEMCTL_LOG\"\n");
        Files.setPosixFilePermissions(systemctl, PosixFilePermissions.fromString("rwxr-xr-x"));
    }

    /** What the command asked of systemctl, run where systemd runs. */
    List<String> run(String... command) throws Exception {
        return run(true, command);
    }

    /**
     * What the command asked of systemctl.
     *
     * @param systemdRuns whether /run/systemd/system exists (false: a container or chroot without systemd)
     */
    List<String> run(boolean systemdRuns, String... command) throws Exception {
        Path log = Files.createTempFile(folder, "systemctl", ".log");
        String call = "mount -t tmpfs aim-test-run /run && " + (systemdRuns ? "mkdir -p /run/systemd/system && " : "")
                + "exec \"$@\"";
        List<String> full = new ArrayList<>(List.of("unshare", "--mount", "sh", "-c", call, "sh"));
        full.addAll(List.of(command));
        Launched launched = Launched.run(folder, Map.of("PATH", folder.resolve("fake-bin") + ":"
                + System.getenv("PATH"), "SYSTEMCTL_LOG", log.toString()), full.toArray(String[]::new));
        assertEquals(0, launched.exitCode(), String.join(" ", command) + ": " + launched.output());
        return Files.readAllLines(log);
    }
}
