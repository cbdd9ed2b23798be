package com.abiquo.aim.dist;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.abiquo.aim.testing.SystemTestRequirements;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The .rpm's scriptlets, taken from the built package ({@code rpm -qp --qf %{POSTIN}} ...), run as rpm runs them
 * (their interpreter, with $1 = the number of versions installed after the step) on a systemd host
 * ({@link SystemdHost}: a private mount namespace and a stand-in systemctl). RPM's order on an upgrade: the new
 * %post (1 -> 2), then the old %preun (1) and %postun (1).
 */
@Tag("system")
class RpmScriptletsTest {
    @TempDir
    static Path folder;

    private static SystemdHost host;
    private static Path rpmFile;

    @BeforeAll
    static void setUp() throws Exception {
        SystemTestRequirements.requireRoot("a private mount namespace");
        SystemTestRequirements.requireExecutable(Path.of("/usr/bin/rpm"), "scripts/setup.d/60-rpm.sh");
        rpmFile = Launched.builtRpm();
        host = new SystemdHost(folder);
    }

    /** The scriptlet's body and interpreter (tags POSTIN and POSTINPROG, ...), written to a file. */
    private static List<String> run(String tag, boolean systemdRuns, String count) throws Exception {
        Launched program = Launched.run(folder, Map.of(), "rpm", "-qp", "--qf", "%{" + tag + "PROG}",
                rpmFile.toString());
        Launched body = Launched.run(folder, Map.of(), "rpm", "-qp", "--qf", "%{" + tag + "}", rpmFile.toString());
        assertEquals(0, body.exitCode(), body.output());
        assertEquals("/bin/sh", program.output().strip(), tag);
        Path script = Files.createTempFile(folder, tag, ".sh");
        Files.writeString(script, body.output() + "\n");
        return host.run(systemdRuns, "/bin/sh", script.toString(), count);
    }

    @Test
    void anInstallReloadsTheUnitsAndStartsNothing() throws Exception {
        assertEquals(List.of("systemctl daemon-reload"), run("POSTIN", true, "1"));
    }

    @Test
    void anUpgradeReloadsAndRestartsARunningAimButNeverStopsIt() throws Exception {
        assertEquals(List.of("systemctl daemon-reload"), run("POSTIN", true, "2"));
        assertEquals(List.of(), run("PREUN", true, "1"));
        assertEquals(List.of("systemctl daemon-reload", "systemctl try-restart abiquo-aim.service"),
                run("POSTUN", true, "1"));
    }

    @Test
    void anEraseStopsAndDisablesAimThenReloads() throws Exception {
        assertEquals(List.of("systemctl stop abiquo-aim.service", "systemctl disable abiquo-aim.service"),
                run("PREUN", true, "0"));
        assertEquals(List.of("systemctl daemon-reload"), run("POSTUN", true, "0"));
    }

    @Test
    void withoutSystemdNothingIsAsked() throws Exception {
        for (String tag : List.of("POSTIN", "PREUN", "POSTUN")) {
            for (String count : List.of("0", "1", "2")) {
                assertEquals(List.of(), run(tag, false, count), tag + " " + count);
            }
        }
    }
}
