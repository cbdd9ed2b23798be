package com.abiquo.aim.core.path;

import com.abiquo.aim.core.error.AimException;
import com.code_intelligence.jazzer.junit.FuzzTest;
import io.grpc.Status;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;

/**
 * Fuzzes path confinement against a real folder with the traps a client could aim at: a symbolic link that leads
 * out of the root, one that leads nowhere, one that stays inside, and a sibling folder whose name starts like the
 * root's. For any client path, {@link ConfinedRoot#resolve} either refuses it with INVALID_ARGUMENT or
 * PERMISSION_DENIED, or gives a normalized real path under the root: an escape is a finding. The same input as one
 * name must pass {@link PathLimits#checkName} only when it is one name within NAME_MAX.
 */
class ConfinedRootFuzzTest {
    private static Path folder;
    private static ConfinedRoot root;

    @BeforeAll
    static void createRootWithTraps() throws IOException {
        folder = Files.createTempDirectory("aim-confined-fuzz-");
        Path rootFolder = Files.createDirectories(folder.resolve("root"));
        Files.createDirectories(folder.resolve("root-sibling/secret"));
        Files.createDirectories(rootFolder.resolve("images/inner"));
        Files.writeString(rootFolder.resolve("images/disk.raw"), "");
        Files.createSymbolicLink(rootFolder.resolve("out"), folder.resolve("root-sibling"));
        Files.createSymbolicLink(rootFolder.resolve("etc"), Path.of("/etc"));
        Files.createSymbolicLink(rootFolder.resolve("dangling"), folder.resolve("absent"));
        Files.createSymbolicLink(rootFolder.resolve("images/up"), Path.of(".."));
        Files.createSymbolicLink(rootFolder.resolve("images/inner/in"), rootFolder.resolve("images"));
        root = ConfinedRoot.of(rootFolder);
    }

    @AfterAll
    static void removeRoot() throws IOException {
        try (Stream<Path> paths = Files.walk(folder)) {
            for (Path path : paths.sorted(Comparator.reverseOrder()).toList()) {
                Files.delete(path);
            }
        }
    }

    @FuzzTest(maxDuration = "5s")
    void noClientPathLeavesItsRoot(byte[] input) {
        // the first byte picks relative or absolute (under the root), the rest is the path in UTF-8
        boolean absolute = input.length > 0 && (input[0] & 1) == 1;
        String text = input.length == 0 ? "" : new String(input, 1, input.length - 1, StandardCharsets.UTF_8);
        String clientPath = absolute ? root.root() + "/" + text : text;
        try {
            Path resolved = root.resolve(clientPath, "fuzzed_path");
            if (!resolved.startsWith(root.root()) || !resolved.equals(resolved.normalize())) {
                throw new AssertionError("\"" + clientPath + "\" escaped " + root.root() + " as " + resolved);
            }
        } catch (AimException refused) {
            if (refused.code() != Status.Code.INVALID_ARGUMENT && refused.code() != Status.Code.PERMISSION_DENIED) {
                throw new AssertionError("\"" + clientPath + "\" was refused as " + refused.code(), refused);
            }
        }
        try {
            PathLimits.checkName(text, "fuzzed_name");
            if (text.isEmpty() || text.contains("/") || text.contains("\0")
                    || text.getBytes(StandardCharsets.UTF_8).length > PathLimits.NAME_MAX_BYTES) {
                throw new AssertionError("\"" + text + "\" passed as one name");
            }
        } catch (AimException refused) {
            if (refused.code() != Status.Code.INVALID_ARGUMENT) {
                throw new AssertionError("name \"" + text + "\" was refused as " + refused.code(), refused);
            }
        }
    }
}
