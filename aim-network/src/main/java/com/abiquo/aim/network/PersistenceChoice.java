package com.abiquo.aim.network;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * Which files keep VLANs across reboots ([vlan] persistence). {@code auto} picks NetworkManager keyfiles when
 * NetworkManager's keyfile folder is in use (it holds a *.nmconnection file) or when /etc/os-release names an
 * Enterprise Linux 9 or later (ID or ID_LIKE rhel, centos or fedora, VERSION_ID 9 or more: EL 9 deprecates ifcfg
 * files and EL 10 ignores them), and ifcfg files otherwise.
 *
 * @param format the resolved format
 * @param reason why, for the log
 */
public record PersistenceChoice(Format format, String reason) {
    public enum Format { IFCFG, KEYFILE, AUTO }

    private static final Set<String> EL_FAMILY = Set.of("rhel", "centos", "fedora");

    public static PersistenceChoice resolve(Format configured, Path keyfileFolder, Path osRelease) {
        if (configured != Format.AUTO) {
            return new PersistenceChoice(configured, "[vlan] persistence = " + configured.name().toLowerCase(
                    Locale.ROOT));
        }
        if (holdsKeyfiles(keyfileFolder)) {
            return new PersistenceChoice(Format.KEYFILE, keyfileFolder + " holds NetworkManager keyfiles");
        }
        Map<String, String> release = readOsRelease(osRelease);
        if (isEl9OrLater(release)) {
            return new PersistenceChoice(Format.KEYFILE, osRelease + " says " + release.getOrDefault("ID", "")
                    + " " + release.getOrDefault("VERSION_ID", "") + " (EL 9 or later)");
        }
        return new PersistenceChoice(Format.IFCFG, "neither NetworkManager keyfiles in " + keyfileFolder
                + " nor EL 9 or later in " + osRelease);
    }

    static boolean isEl9OrLater(Map<String, String> release) {
        String names = release.getOrDefault("ID", "") + " " + release.getOrDefault("ID_LIKE", "");
        List<String> family = List.of(names.toLowerCase(Locale.ROOT).strip().split("\\s+"));
        if (family.stream().noneMatch(EL_FAMILY::contains)) {
            return false;
        }
        String version = release.getOrDefault("VERSION_ID", "");
        int dot = version.indexOf('.');
        String major = dot < 0 ? version : version.substring(0, dot);
        return major.matches("[0-9]{1,4}") && Integer.parseInt(major) >= 9;
    }

    /**
     * os-release's KEY=value lines, quotes removed; an absent or unreadable file has none. A byte that is not UTF-8
     * (in PRETTY_NAME, say) must not hide ID and VERSION_ID.
     */
    static Map<String, String> readOsRelease(Path file) {
        try {
            return IfcfgFiles.parse(NodeFileText.decode(Files.readAllBytes(file)));
        } catch (IOException unreadable) {
            return Map.of();
        }
    }

    private static boolean holdsKeyfiles(Path folder) {
        try (DirectoryStream<Path> entries = Files.newDirectoryStream(folder, "*.nmconnection")) {
            return entries.iterator().hasNext();
        } catch (NoSuchFileException absent) {
            return false;
        } catch (IOException unreadable) {
            return false;
        }
    }
}
