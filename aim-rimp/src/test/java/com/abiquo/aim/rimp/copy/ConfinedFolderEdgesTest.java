package com.abiquo.aim.rimp.copy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.abiquo.aim.core.error.AimException;
import com.abiquo.aim.rimp.RimpErrorReason;
import io.grpc.Status;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The descriptor edges of {@link ConfinedFolder}, the errnos it reports and the architectures it knows. */
class ConfinedFolderEdgesTest {
    @TempDir
    Path folder;

    @Test
    void aSecondCloseDoesNotCloseADescriptorOpenedMeanwhile() throws Exception {
        Path file = Files.writeString(folder.resolve("f"), "bytes");
        ConfinedFolder opened = ConfinedFolder.open(folder, false);
        opened.close();
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.READ)) { // likely the freed number
            opened.close();
            assertEquals(5, channel.size(), "the channel's descriptor is still open");
        }
    }

    @Test
    void dotAndDotDotAreRefusedOnTheWay() {
        assertThrows(IllegalArgumentException.class,
                () -> ConfinedFolder.open(Path.of(folder + "/../" + folder.getFileName()), false));
        assertThrows(IllegalArgumentException.class, () -> ConfinedFolder.open(Path.of(folder + "/."), false));
    }

    @Test
    void aFailedLookUpIsNotReadAsMissing() throws Exception {
        try (ConfinedFolder opened = ConfinedFolder.open(folder, false)) {
            assertFalse(opened.contains("missing"));
            NativeFile.NativeException failed = assertThrows(NativeFile.NativeException.class,
                    () -> opened.contains("n".repeat(300)));
            assertEquals(Libc.ENAMETOOLONG, failed.errno());
        }
    }

    @Test
    void deletingAFolderAsAFileIsNotAFileNotInternal() throws Exception {
        Path sub = Files.createDirectory(folder.resolve("sub"));

        NativeFile.NativeException failed = assertThrows(NativeFile.NativeException.class,
                () -> ConfinedFolder.deleteFile(sub));
        AimException mapped = IoFailures.map("cannot delete " + sub, failed);

        assertEquals(Status.Code.FAILED_PRECONDITION, mapped.code(), mapped.getMessage());
        assertEquals(RimpErrorReason.NOT_A_FILE, mapped.reason());
        assertTrue(Files.isDirectory(sub));
    }

    @Test
    void aStaleNfsHandleIsAVanishedPath() {
        AimException mapped = IoFailures.map("cannot read /nfs/x", new NativeFile.NativeException("open /nfs/x",
                Libc.ESTALE));
        assertEquals(Status.Code.NOT_FOUND, mapped.code(), mapped.getMessage());
        assertEquals(RimpErrorReason.PATH_NOT_FOUND, mapped.reason());
    }

    @Test
    void onlyTheArchitecturesWhoseFlagsAreKnownLoad() {
        assertFalse(Libc.arm64("amd64"));
        assertFalse(Libc.arm64("x86_64"));
        assertTrue(Libc.arm64("aarch64"));
        assertThrows(UnsupportedOperationException.class, () -> Libc.arm64("ppc64le"));
    }
}
