package com.abiquo.aim.dist;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The .deb's maintainer scripts, taken from the built package, as dpkg calls them on a systemd host. systemd does not
 * run here, so each script runs in a private mount namespace whose /run has {@code systemd/system} (what the scripts
 * test for), with a stand-in {@code systemctl} (a named fake) that records its arguments.
 */
@Tag("system")
class MaintainerScriptsTest {
    @TempDir
    static Path folder;

    private static Path scripts;

    @BeforeAll
    static void extract() throws Exception {
        assumeTrue("root".equals(System.getProperty("user.name")), "a private mount namespace needs root");
        Path deb = Launched.builtDeb();
        scripts = folder.resolve("control");
        Launched extract = Launched.run(folder, Map.of(), "dpkg-deb", "-e", deb.toString(), scripts.toString());
        assertEquals(0, extract.exitCode(), extract.output());
        Path bin = Files.createDirectories(folder.resolve("fake-bin"));
        Path systemctl = bin.resolve("systemctl");
        Files.writeString(systemctl, "#!/bin/sh\necho \"systemctl $*\" >> \"$SYSTEMCTL_LOG\"\n");
        Files.setPosixFilePermissions(systemctl, PosixFilePermissions.fromString("rwxr-xr-x"));
    }

    /** What the script asked of systemctl, run as dpkg would with these arguments. */
    private static List<String> run(String script, String... arguments) throws Exception {
        Path log = Files.createTempFile(folder, "systemctl", ".log");
        String call = "mount -t tmpfs aim-test-run /run && mkdir -p /run/systemd/system && exec \"$0\" \"$@\"";
        List<String> command = new ArrayList<>(List.of("unshare", "--mount", "sh", "-c", call,
                scripts.resolve(script).toString()));
        command.addAll(List.of(arguments));
        Launched launched = Launched.run(folder, Map.of("PATH", folder.resolve("fake-bin") + ":"
                + System.getenv("PATH"), "SYSTEMCTL_LOG", log.toString()), command.toArray(String[]::new));
        assertEquals(0, launched.exitCode(), script + ": " + launched.output());
        return Files.readAllLines(log);
    }

    @Test
    void aFirstInstallOnlyReloadsTheUnits() throws Exception {
        assertEquals(List.of("systemctl daemon-reload"), run("postinst", "configure", ""));
    }

    @Test
    void anUpgradeRestartsARunningAim() throws Exception {
        assertEquals(List.of("systemctl daemon-reload", "systemctl try-restart abiquo-aim.service"),
                run("postinst", "configure", "1.0.0~old"));
    }

    @Test
    void anUpgradeDoesNotStopAimButRemovalDoes() throws Exception {
        assertEquals(List.of(), run("prerm", "upgrade", "1.0.0~new"));
        assertEquals(List.of("systemctl stop abiquo-aim.service", "systemctl disable abiquo-aim.service"),
                run("prerm", "remove"));
    }
}
