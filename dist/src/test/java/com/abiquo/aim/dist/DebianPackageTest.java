package com.abiquo.aim.dist;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.abiquo.aim.testing.SystemTestRequirements;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The .deb installs with dpkg on this machine, and the installed launcher starts and stops; then it is purged. */
@Tag("system")
class DebianPackageTest {
    @TempDir
    static Path folder;

    private static boolean installed;

    @BeforeAll
    static void install() throws Exception {
        SystemTestRequirements.requireRoot("dpkg -i");
        Path deb = Launched.builtDeb();
        Launched install = Launched.run(folder, Map.of(), "dpkg", "-i", deb.toString());
        installed = true;
        assertEquals(0, install.exitCode(), install.output());
    }

    @AfterAll
    static void purge() throws Exception {
        if (!installed) {
            return;
        }
        Launched purge = Launched.run(folder, Map.of(), "dpkg", "--purge", "abiquo-aim");
        assertEquals(0, purge.exitCode(), purge.output());
        assertFalse(Files.exists(Path.of("/usr/bin/abiquo-aim")));
        assertFalse(Files.exists(Path.of("/etc/abiquo-aim/aim.ini")));
    }

    @Test
    void installsTheLauncherTheConfigurationAsConffileAndTheUnit() throws Exception {
        assertTrue(Files.isExecutable(Path.of("/usr/bin/abiquo-aim")));
        assertEquals(Path.of("/usr/share/abiquo-aim/bin/abiquo-aim"), Path.of("/usr/bin/abiquo-aim").toRealPath());
        assertTrue(Files.isRegularFile(Path.of("/etc/abiquo-aim/aim.ini")));
        assertTrue(Files.isRegularFile(Path.of("/etc/abiquo-aim/log4j2.xml")));
        assertTrue(Files.isRegularFile(Path.of("/lib/systemd/system/abiquo-aim.service")));
        assertTrue(Files.isDirectory(Path.of("/usr/share/abiquo-aim/lib")));
        assertTrue(Files.isRegularFile(Path.of("/usr/share/abiquo-aim/grafana/aim-node.json")), "Grafana dashboard");
        Launched conffiles = Launched.run(folder, Map.of(), "dpkg-query", "-W", "-f=${Conffiles}\\n", "abiquo-aim");
        assertTrue(conffiles.output().contains("/etc/abiquo-aim/aim.ini"), conffiles.output());
        Launched version = Launched.run(folder, Map.of(), "/usr/bin/abiquo-aim", "--version");
        assertEquals(0, version.exitCode(), version.output());
        assertTrue(version.output().startsWith("abiquo-aim "), version.output());
        assertEquals(Path.of("/usr/share/abiquo-aim/bin/aimctl"), Path.of("/usr/bin/aimctl").toRealPath());
        assertTrue(Files.isRegularFile(Path.of("/usr/share/bash-completion/completions/aimctl")));
        Launched aimctl = Launched.run(folder, Map.of(), "/usr/bin/aimctl", "--version");
        assertEquals(0, aimctl.exitCode(), aimctl.output());
        assertTrue(aimctl.output().startsWith("aimctl "), aimctl.output());
    }

    @Test
    void theInstalledLauncherStartsAndStopsWithStatus0() throws Exception {
        Path config = Launched.devConfig(folder.resolve("installed"), "/usr/bin/abiquo-aim");
        try (Launched aim = Launched.start(folder, Map.of(), "/usr/bin/abiquo-aim", "-c", config.toString())) {
            aim.waitForPort();
            assertEquals(0, aim.terminate(), aim.output());
            assertTrue(aim.output().contains("AIM stopped cleanly"), aim.output());
        }
    }

    /** Without -c the launcher finds /etc/abiquo-aim/aim.ini (through <home>/conf); the shipped file is valid. */
    @Test
    void theShippedConfigurationIsFoundAndValid() throws Exception {
        try (Launched check = Launched.run(folder, Map.of(), "/usr/bin/abiquo-aim", "--check-config")) {
            assertEquals(0, check.process.exitValue(), check.output());
            assertTrue(check.output().contains("/usr/share/abiquo-aim/conf/aim.ini: configuration is valid"),
                    check.output());
        }
    }
}
