package com.abiquo.aim.core.path;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.abiquo.aim.core.error.AimException;
import io.grpc.Status;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Client paths against a real folder with real symbolic links. */
class ConfinedRootTest {
    @TempDir
    Path folder;

    private Path rootFolder;
    private ConfinedRoot root;

    @BeforeEach
    void createRoot() throws Exception {
        rootFolder = Files.createDirectories(folder.resolve("repository")).toRealPath();
        Files.createDirectories(rootFolder.resolve("images"));
        Files.writeString(rootFolder.resolve("images/disk.qcow2"), "x");
        Files.createDirectories(folder.resolve("outside"));
        root = ConfinedRoot.of(rootFolder);
    }

    private Status.Code refusal(String clientPath) {
        return assertThrows(AimException.class, () -> root.resolve(clientPath, "repository_path")).code();
    }

    @Test
    void pathsInsideResolveToRealPaths() throws Exception {
        assertEquals(rootFolder.resolve("images/disk.qcow2"), root.resolve("images/disk.qcow2", "repository_path"));
        assertEquals(rootFolder.resolve("images/disk.qcow2"),
                root.resolve(rootFolder.resolve("images/disk.qcow2").toString(), "repository_path"));
        assertEquals(rootFolder.resolve("new/folder/disk.raw"), root.resolve("new/folder/disk.raw", "x"),
                "a path that does not exist yet is fine");
        assertEquals(rootFolder.resolve("images"), root.resolve("./images/", "x"));
    }

    @Test
    void dotDotEmptyAndNulAreInvalidArguments() {
        assertEquals(Status.Code.INVALID_ARGUMENT, refusal("../outside/x"));
        assertEquals(Status.Code.INVALID_ARGUMENT, refusal("images/../../outside"));
        assertEquals(Status.Code.INVALID_ARGUMENT, refusal(""));
        assertEquals(Status.Code.INVALID_ARGUMENT, refusal("  "));
        assertEquals(Status.Code.INVALID_ARGUMENT, refusal("images/disk\0.qcow2"));
    }

    /**
     * The kernel's limits, for every component and not only the last: refused up front as the client's mistake
     * (the file system would answer "File name too long" half-way through, which clients saw as INTERNAL).
     */
    @Test
    void namesAndPathsOverTheKernelLimitsAreInvalidArguments() throws Exception {
        String longFolder = "d".repeat(256);
        AimException folderName = assertThrows(AimException.class,
                () -> root.resolve(longFolder + "/disk.raw", "destination"));
        assertEquals(Status.Code.INVALID_ARGUMENT, folderName.code());
        assertEquals("NAME_TOO_LONG", folderName.reason().name());
        assertEquals("destination", folderName.metadata().get("field"));
        assertEquals("NAME_TOO_LONG", assertThrows(AimException.class,
                () -> root.resolve(rootFolder + "/a/" + "\u00e9".repeat(128) + "/b", "x")).reason().name(),
                "256 bytes in UTF-8 in 128 characters");
        assertEquals(rootFolder.resolve("d".repeat(255) + "/disk.raw"), root.resolve("d".repeat(255) + "/disk.raw",
                "x"), "255 bytes is still a name");

        String longPath = ("p".repeat(200) + "/").repeat(21);
        AimException path = assertThrows(AimException.class, () -> root.resolve(longPath, "destination"));
        assertEquals("PATH_TOO_LONG", path.reason().name());
        String fitsAloneNotUnderRoot = ("p".repeat(200) + "/").repeat(20) + "q".repeat(4095 - 4020);
        assertEquals(4095, fitsAloneNotUnderRoot.length());
        AimException underRoot = assertThrows(AimException.class,
                () -> root.resolve(fitsAloneNotUnderRoot, "destination"));
        assertEquals("PATH_TOO_LONG", underRoot.reason().name(), underRoot.getMessage());
        assertTrue(underRoot.getMessage().length() < 1000, "the message shows the start of the path only");
    }

    @Test
    void absolutePathsElsewhereArePermissionDenied() {
        assertEquals(Status.Code.PERMISSION_DENIED, refusal("/etc/passwd"));
        assertEquals(Status.Code.PERMISSION_DENIED, refusal(folder.resolve("outside").toString()));
        assertEquals(Status.Code.PERMISSION_DENIED, refusal(rootFolder + "-sibling/x"));
    }

    @Test
    void symbolicLinksLeadingOutArePermissionDenied() throws Exception {
        Files.createSymbolicLink(rootFolder.resolve("escape"), folder.resolve("outside"));
        Files.createSymbolicLink(rootFolder.resolve("dangling"), folder.resolve("nowhere"));
        Files.createSymbolicLink(rootFolder.resolve("inside"), rootFolder.resolve("images"));
        assertEquals(Status.Code.PERMISSION_DENIED, refusal("escape/x.qcow2"));
        assertEquals(Status.Code.PERMISSION_DENIED, refusal("escape"));
        assertEquals(Status.Code.PERMISSION_DENIED, refusal("dangling"));
        assertEquals(rootFolder.resolve("images/disk.qcow2"), root.resolve("inside/disk.qcow2", "x"));
    }

    @Test
    void theMessageNamesTheFieldAndThePath() {
        AimException error = assertThrows(AimException.class, () -> root.resolve("../x", "datastore_path"));
        assertEquals("datastore_path \"../x\" contains a '..' segment", error.getMessage());
        assertEquals("INVALID_PATH", error.reason().name());
    }
}
