package com.abiquo.aim.rimp.copy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.abiquo.aim.core.error.AimException;
import com.abiquo.aim.rimp.RimpErrorReason;
import com.abiquo.aim.rimp.TestFiles;
import io.grpc.Status;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Renames and removals by path go through folders opened without following a link anywhere on the way. */
class ConfinedFolderTest {
    @TempDir
    Path folder;
    private Path inside;
    private Path victim;
    private Path link;

    @BeforeEach
    void setUp() throws Exception {
        inside = Files.createDirectories(folder.resolve("root/images"));
        victim = Files.createDirectories(folder.resolve("outside"));
        Files.writeString(victim.resolve("disk"), "foreign");
        link = Files.createSymbolicLink(folder.resolve("root/swapped"), victim);
    }

    @Test
    void aLinkAnywhereOnTheWayIsRefusedAndNamed() throws Exception {
        ConfinedFolder.NotAFolder refused = assertThrows(ConfinedFolder.NotAFolder.class,
                () -> ConfinedFolder.open(link.resolve("deeper"), true));
        assertTrue(refused.link());
        assertEquals(link, refused.path());
        assertEquals(List.of("", "disk"), TestFiles.names(victim), "nothing made through the link");
    }

    @Test
    void aRenameIntoALinkedFolderIsRefusedAndTouchesNothingOutside() throws Exception {
        Path image = Files.writeString(inside.resolve("image"), "ours");

        AimException refused = assertThrows(AimException.class,
                () -> map(() -> Publisher.renameNoReplace(image, link.resolve("new"))));

        assertEquals(Status.Code.FAILED_PRECONDITION, refused.code());
        assertEquals(RimpErrorReason.PATH_IS_LINK, refused.reason());
        assertEquals(List.of("", "disk"), TestFiles.names(victim));
        assertEquals("ours", Files.readString(image));
    }

    @Test
    void aDeleteThroughALinkedFolderIsRefused() throws Exception {
        assertThrows(ConfinedFolder.NotAFolder.class, () -> ConfinedFolder.deleteFile(link.resolve("disk")));
        assertEquals("foreign", Files.readString(victim.resolve("disk")));
    }

    private interface Step {
        void run() throws Exception;
    }

    private static void map(Step step) throws Exception {
        try {
            step.run();
        } catch (java.io.IOException failure) {
            throw IoFailures.map("test", failure);
        }
    }
}
