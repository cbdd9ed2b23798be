package com.abiquo.aim.rimp.datastore;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/** Reads the mount table ({@code /proc/self/mounts}) and picks the mounts that are datastores. */
public final class MountTable {
    public static final Path PROC_MOUNTS = Path.of("/proc/self/mounts");

    private MountTable() {
    }

    public static List<MountEntry> read(Path table) throws IOException {
        // only '\n' ends a line: the kernel leaves '\r' in a path as it is (readAllLines would split there), and a
        // name that is not UTF-8 is decoded with replacement instead of failing the whole table
        return parse(Arrays.asList(new String(Files.readAllBytes(table), StandardCharsets.UTF_8).split("\n")));
    }

    /**
     * Parses mount table lines ("device mountpoint type options freq passno"); octal escapes such as {@code \040}
     * (space) are decoded; malformed lines are skipped.
     */
    static List<MountEntry> parse(List<String> lines) {
        List<MountEntry> entries = new ArrayList<>();
        for (String line : lines) {
            // the kernel separates fields with one space and escapes only space, tab, newline and backslash in
            // them: any other character ('\r', a vertical tab, '#', Unicode spaces) belongs to the path
            String[] fields = line.split(" ");
            if (fields.length < 4) {
                continue;
            }
            entries.add(new MountEntry(unescape(fields[0]), unescape(fields[1]), fields[2],
                    new HashSet<>(Arrays.asList(fields[3].split(",")))));
        }
        return entries;
    }

    /**
     * The datastores among the mounts: valid type, not /boot, not under /var/lib/libvirt/images/. A mount point
     * mounted twice counts once, with its last (visible) mount.
     */
    public static List<MountEntry> datastores(List<MountEntry> entries, Set<String> validTypes) {
        Map<String, MountEntry> byMountPoint = new LinkedHashMap<>();
        for (MountEntry entry : entries) {
            byMountPoint.remove(entry.mountPoint()); // a later mount hides the earlier one
            byMountPoint.put(entry.mountPoint(), entry);
        }
        List<MountEntry> datastores = new ArrayList<>();
        for (MountEntry entry : byMountPoint.values()) {
            String point = entry.mountPoint();
            if (!validTypes.contains(entry.type()) || point.equals("/boot") || point.startsWith("/boot/")
                    || point.startsWith("/var/lib/libvirt/images/") || point.equals("/var/lib/libvirt/images")) {
                continue;
            }
            datastores.add(entry);
        }
        return datastores;
    }

    static String unescape(String field) {
        if (field.indexOf('\\') < 0) {
            return field;
        }
        StringBuilder text = new StringBuilder();
        for (int i = 0; i < field.length(); i++) {
            char c = field.charAt(i);
            if (c == '\\' && i + 3 < field.length() && field.substring(i + 1, i + 4).matches("[0-7]{3}")) {
                text.append((char) Integer.parseInt(field.substring(i + 1, i + 4), 8));
                i += 3;
            } else {
                text.append(c);
            }
        }
        return text.toString();
    }
}
