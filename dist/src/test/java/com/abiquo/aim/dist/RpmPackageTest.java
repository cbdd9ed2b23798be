package com.abiquo.aim.dist;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.abiquo.aim.testing.SystemTestRequirements;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFileAttributes;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The .rpm as RHEL's rpm sees it, read with Debian's rpm 4.18 (scripts/setup.d/60-rpm.sh): its header, files,
 * configuration files, scriptlets and requirements; installed into an {@code rpm --root} tree (without dependencies
 * and scriptlets: the tree has no Java, no shell) and checked file by file; its scriptlets, taken from the package,
 * run as rpm runs them on a systemd host ({@link SystemdHost}).
 */
@Tag("system")
class RpmPackageTest {
    private static final String SHARE = "/usr/share/abiquo-aim";

    @TempDir
    static Path folder;

    private static Path rpmFile;

    @BeforeAll
    static void find() throws Exception {
        SystemTestRequirements.requireExecutable(Path.of("/usr/bin/rpm"), "scripts/setup.d/60-rpm.sh");
        rpmFile = Launched.builtRpm();
    }

    private static String rpm(String... arguments) throws Exception {
        String[] command = Stream.concat(Stream.of("rpm"), Stream.of(arguments)).toArray(String[]::new);
        Launched launched = Launched.run(folder, Map.of(), command);
        assertEquals(0, launched.exitCode(), String.join(" ", command) + ": " + launched.output());
        return launched.output();
    }

    private static String query(String... arguments) throws Exception {
        String[] command = Stream.concat(Stream.of("-qp"), Stream.concat(Stream.of(arguments),
                Stream.of(rpmFile.toString()))).toArray(String[]::new);
        return rpm(command);
    }

    /** The launchers of src/bin: each is in the package, whatever their number (aimctl joins abiquo-aim). */
    private static List<String> launchers() throws Exception {
        try (Stream<Path> files = Files.list(Path.of(System.getProperty("aim.dist.bin")))) {
            return files.map(file -> file.getFileName().toString()).sorted().toList();
        }
    }

    private static List<String> jars() throws Exception {
        try (Stream<Path> files = Files.list(Path.of(System.getProperty("aim.dist.dir"), "lib"))) {
            return files.map(file -> file.getFileName().toString()).sorted().toList();
        }
    }

    @Test
    void theHeaderNamesTheNoarchPackage() throws Exception {
        String info = query("-i");
        assertTrue(info.matches("(?s).*Name\\s*: abiquo-aim\\n.*"), info);
        assertTrue(info.matches("(?s).*Architecture\\s*: noarch\\n.*"), info);
        assertTrue(info.matches("(?s).*Version\\s*: 1\\.0\\.0\\n.*"), info);
        assertTrue(info.contains("Summary     : AIM, the Abiquo node agent for KVM hypervisors"), info);
        assertTrue(info.contains("Configuration: /etc/abiquo-aim/aim.ini"), info);
    }

    @Test
    void holdsTheDebsLayoutWithTheUnitWhereRhelKeepsUnits() throws Exception {
        Set<String> files = new TreeSet<>(List.of(query("-l").split("\n")));
        for (String expected : List.of("/usr/bin/abiquo-aim", SHARE + "/bin/abiquo-aim", SHARE + "/conf",
                "/etc/abiquo-aim/aim.ini", "/etc/abiquo-aim/log4j2.xml",
                "/usr/lib/systemd/system/abiquo-aim.service")) {
            assertTrue(files.contains(expected), expected + " not in " + files);
        }
        for (String launcher : launchers()) {
            assertTrue(files.contains("/usr/bin/" + launcher), launcher);
            assertTrue(files.contains(SHARE + "/bin/" + launcher), launcher);
        }
        List<String> jars = jars();
        assertTrue(jars.stream().anyMatch(jar -> jar.startsWith("aim-server-")), jars.toString());
        for (String jar : jars) {
            assertTrue(files.contains(SHARE + "/lib/" + jar), jar);
        }
    }

    @Test
    void theConfigurationIsConfigNoreplace() throws Exception {
        assertEquals(List.of("/etc/abiquo-aim/aim.ini", "/etc/abiquo-aim/log4j2.xml"),
                List.of(query("-c").split("\n")));
        // fflags: c = %config, n = noreplace (an edited file survives an upgrade; the new one lands as .rpmnew)
        Map<String, String> flags = Stream.of(query("--qf", "[%{FILENAMES} %{FILEFLAGS:fflags}\\n]").split("\n"))
                .map(line -> line.split(" ", 2)).filter(parts -> parts[0].startsWith("/etc/"))
                .collect(Collectors.toMap(parts -> parts[0], parts -> parts.length > 1 ? parts[1] : ""));
        assertEquals("cn", flags.get("/etc/abiquo-aim/aim.ini"));
        assertEquals("cn", flags.get("/etc/abiquo-aim/log4j2.xml"));
    }

    @Test
    void requiresJava17OrLaterLibvirtsLibraryAndIproute() throws Exception {
        List<String> requires = List.of(query("--requires").split("\n"));
        assertTrue(requires.contains("java-headless >= 1:17"), requires.toString());
        assertTrue(requires.contains("libvirt-libs"), requires.toString());
        assertTrue(requires.contains("iproute"), requires.toString());
    }

    @Test
    void hasTheThreeScriptletsRunBySh() throws Exception {
        String scripts = query("--scripts");
        assertTrue(scripts.contains("postinstall scriptlet (using /bin/sh):"), scripts);
        assertTrue(scripts.contains("preuninstall scriptlet (using /bin/sh):"), scripts);
        assertTrue(scripts.contains("postuninstall scriptlet (using /bin/sh):"), scripts);
        assertFalse(scripts.contains("preinstall scriptlet"), scripts);
    }

    @Test
    void installsIntoARootTreeWithTheRightFilesModesAndOwners() throws Exception {
        Path root = Files.createDirectories(folder.resolve("root"));
        rpm("--root", root.toString(), "-i", "--nodeps", "--noscripts", rpmFile.toString());
        assertEquals("abiquo-aim", rpm("--root", root.toString(), "-q", "--qf", "%{NAME}", "abiquo-aim"));
        for (String launcher : launchers()) {
            Path link = root.resolve("usr/bin/" + launcher);
            assertTrue(Files.isSymbolicLink(link), launcher);
            assertEquals(Path.of("../share/abiquo-aim/bin", launcher), Files.readSymbolicLink(link));
            assertMode("rwxr-xr-x", root.resolve(SHARE.substring(1) + "/bin/" + launcher));
        }
        assertEquals(Path.of("/etc/abiquo-aim"), Files.readSymbolicLink(root.resolve(SHARE.substring(1) + "/conf")));
        // aim.ini may come to hold secrets (TLS key paths, tokens): not for everyone's eyes, as in the .deb
        assertMode("rw-r-----", root.resolve("etc/abiquo-aim/aim.ini"));
        assertMode("rw-r--r--", root.resolve("etc/abiquo-aim/log4j2.xml"));
        assertMode("rw-r--r--", root.resolve("usr/lib/systemd/system/abiquo-aim.service"));
        assertEquals(Files.readString(Path.of(System.getProperty("aim.dist.dir")).getParent().resolve(
                "src/conf/aim.ini")), Files.readString(root.resolve("etc/abiquo-aim/aim.ini")));
        for (String jar : jars()) {
            assertMode("rw-r--r--", root.resolve(SHARE.substring(1) + "/lib/" + jar));
        }
        // the installed launcher finds its jars from its own place (AIM_HOME = the folder above its real path)
        Launched version = Launched.run(folder, Map.of(), root.resolve(SHARE.substring(1) + "/bin/abiquo-aim")
                .toString(), "--version");
        assertEquals(0, version.exitCode(), version.output());
        assertTrue(version.output().startsWith("abiquo-aim "), version.output());
        assertEquals("", rpm("--root", root.toString(), "-V", "--nodeps", "abiquo-aim"),
                "rpm -V finds every file as packaged");
        rpm("--root", root.toString(), "-e", "--nodeps", "--noscripts", "abiquo-aim");
        assertFalse(Files.exists(root.resolve("etc/abiquo-aim/aim.ini")));
        assertFalse(Files.exists(root.resolve("usr/bin/abiquo-aim"), LinkOption.NOFOLLOW_LINKS));
    }

    private static void assertMode(String mode, Path file) throws Exception {
        PosixFileAttributes attributes = Files.readAttributes(file, PosixFileAttributes.class);
        assertEquals(mode, PosixFilePermissions.toString(attributes.permissions()), file.toString());
        assertEquals("root", attributes.owner().getName(), file.toString());
        assertEquals("root", attributes.group().getName(), file.toString());
    }
}
