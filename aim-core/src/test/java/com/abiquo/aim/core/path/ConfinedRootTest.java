package com.abiquo.aim.core.path;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

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
        assertEquals("INVALID_PATH", error.reason());
    }
}
