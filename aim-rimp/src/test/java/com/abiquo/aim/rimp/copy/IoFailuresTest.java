package com.abiquo.aim.rimp.copy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.abiquo.aim.core.error.AimException;
import com.abiquo.aim.testing.SystemTestRequirements;
import io.grpc.Status;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** What a client is told when the file system itself refuses a write. */
class IoFailuresTest {
    @TempDir
    Path folder;

    @Test
    @Tag("system")
    void aWriteOnAReadOnlyFileSystemIsAFailedPreconditionNotAnInternalError() throws Exception {
        SystemTestRequirements.requireRoot("mounting");
        Path mount = Files.createDirectory(folder.resolve("ro"));
        run("mount", "-t", "tmpfs", "-o", "ro,size=1m", "tmpfs", mount.toString());
        try {
            IOException refused = assertThrows(IOException.class, () -> Files.createFile(mount.resolve("disk.img")));
            AimException mapped = IoFailures.map("writing disk.img", refused);
            assertEquals(Status.Code.FAILED_PRECONDITION, mapped.code(), mapped.getMessage());
            assertEquals("READ_ONLY_FILE_SYSTEM", mapped.reason().name());
            assertTrue(mapped.getMessage().contains("Read-only file system"), mapped.getMessage());
        } finally {
            run("umount", mount.toString());
        }
    }

    private static void run(String... command) throws Exception {
        Process process = new ProcessBuilder(command).inheritIO().start();
        assertEquals(0, process.waitFor(), String.join(" ", command));
    }
}
