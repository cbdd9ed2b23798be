package com.abiquo.aim.dist;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.abiquo.aim.testing.SystemTestRequirements;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The .deb's maintainer scripts, taken from the built package, as dpkg calls them on a systemd host
 * ({@link SystemdHost}: a private mount namespace and a stand-in systemctl).
 */
@Tag("system")
class MaintainerScriptsTest {
    @TempDir
    static Path folder;

    private static Path scripts;
    private static SystemdHost host;

    @BeforeAll
    static void extract() throws Exception {
        SystemTestRequirements.requireRoot("a private mount namespace");
        Path deb = Launched.builtDeb();
        scripts = folder.resolve("control");
        Launched extract = Launched.run(folder, Map.of(), "dpkg-deb", "-e", deb.toString(), scripts.toString());
        assertEquals(0, extract.exitCode(), extract.output());
        host = new SystemdHost(folder);
    }

    /** What the script asked of systemctl, run as dpkg would with these arguments. */
    private static List<String> run(String script, String... arguments) throws Exception {
        List<String> command = new ArrayList<>(List.of(scripts.resolve(script).toString()));
        command.addAll(List.of(arguments));
        return host.run(command.toArray(String[]::new));
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
