package com.abiquo.aim.rimp.datastore;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.FuzzTest;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * Fuzzes the mount table reader with mounts whose device and mount point hold any characters, written as the
 * kernel writes /proc/self/mounts (show_vfsmnt: fields separated by one space; only space, tab, newline and
 * backslash escaped as octal; '\r', form feeds, '#' and non-ASCII text left as they are). Read back from a real
 * file with {@link MountTable#read}, the table must give exactly the mounts written: a mount point read wrong is a
 * datastore reported at the wrong place, or not at all.
 */
class MountTableFuzzTest {
    @FuzzTest(maxDuration = "5s")
    void kernelTextReadsBackAsTheMounts(FuzzedDataProvider data) throws IOException {
        int count = data.consumeInt(1, 4);
        List<MountEntry> mounts = new ArrayList<>();
        StringBuilder table = new StringBuilder();
        for (int i = 0; i < count; i++) {
            String device = nonEmpty(pathText(data.consumeString(40)), "none");
            String mountPoint = "/" + pathText(data.consumeString(60));
            String type = nonEmpty(data.consumeAsciiString(10).replaceAll("[^a-z0-9.]", ""), "ext4");
            String option = nonEmpty(data.consumeAsciiString(20).replaceAll("[^a-z0-9=_]", ""), "rw");
            mounts.add(new MountEntry(device, mountPoint, type, Set.of(option, "relatime")));
            table.append(kernelEscaped(device)).append(' ').append(kernelEscaped(mountPoint)).append(' ')
                    .append(type).append(' ').append(option).append(",relatime 0 0\n");
        }
        Path file = Files.createTempFile("aim-mounts-fuzz-", ".txt");
        try {
            Files.writeString(file, table, StandardCharsets.UTF_8);
            List<MountEntry> read = MountTable.read(file);
            if (!read.equals(mounts)) {
                throw new AssertionError("the table\n" + table + "was read as " + read + ", not " + mounts);
            }
        } finally {
            Files.delete(file);
        }
    }

    /** What a Linux path can hold: no NUL; text as the UTF-8 file gives it back (no unpaired surrogate). */
    private static String pathText(String value) {
        return new String(value.replace("\0", "").getBytes(StandardCharsets.UTF_8), StandardCharsets.UTF_8);
    }

    private static String nonEmpty(String value, String otherwise) {
        return value.isEmpty() ? otherwise : value;
    }

    /** The kernel's mangle() for paths in the mount table: " \t\n\\" become \ooo. */
    private static String kernelEscaped(String field) {
        StringBuilder escaped = new StringBuilder();
        for (char c : field.toCharArray()) {
            if (c == ' ' || c == '\t' || c == '\n' || c == '\\') {
                escaped.append(String.format("\\%03o", (int) c));
            } else {
                escaped.append(c);
            }
        }
        return escaped.toString();
    }
}
