package com.abiquo.aim.rimp.copy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.abiquo.aim.core.error.AimException;
import com.abiquo.aim.rimp.RimpErrorReason;
import com.abiquo.aim.rimp.TestFiles;
import io.grpc.Status;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The read side of a copy: the source (and its .sha256) is opened through its folder, never by a path that a folder
 * swapped for a link after the request's checks could send outside the roots, and never blocks on a FIFO.
 */
class SwappedSourceTest {
    @TempDir
    Path folder;
    private final ImageCopier copier = new ImageCopier(new Temporaries("test-host"));
    private Path images;
    private Path outside;
    private Path destination;

    @BeforeEach
    void setUp() throws Exception {
        images = Files.createDirectories(folder.resolve("root/images"));
        Files.writeString(images.resolve("disk.raw"), "image bytes");
        outside = Files.createDirectories(folder.resolve("outside"));
        Files.writeString(outside.resolve("disk.raw"), "secret bytes");
        Files.createDirectories(folder.resolve("root/instances"));
        destination = folder.resolve("root/instances/copy.raw");
    }

    @Test
    void aSourceFolderSwappedForALinkIsRefusedAndNothingOutsideIsPublished() throws Exception {
        Path source = images.resolve("disk.raw"); // checked by the request; then the folder is swapped
        Files.move(images, folder.resolve("root/images-moved"));
        Files.createSymbolicLink(images, outside);

        AimException refused = assertThrows(AimException.class, () -> copier.copy(source, destination,
                ImageCopier.Options.noReplace(true), CopyControl.none()));

        assertEquals(Status.Code.FAILED_PRECONDITION, refused.code(), refused.getMessage());
        assertEquals(RimpErrorReason.PATH_IS_LINK, refused.reason(), refused.getMessage());
        assertFalse(Files.exists(destination), "the outside file never lands inside a root");
        assertEquals(List.of(""), TestFiles.names(destination.getParent()), "no temporary left");
    }

    @Test
    void aFifoInPlaceOfTheSourceFailsPromptly() throws Exception {
        Path source = images.resolve("disk.raw");
        Files.delete(source);
        Process mkfifo = new ProcessBuilder("mkfifo", source.toString()).inheritIO().start();
        assertEquals(0, mkfifo.waitFor());

        AimException refused = assertTimeoutPreemptively(Duration.ofSeconds(20), () -> assertThrows(
                AimException.class, () -> copier.copy(source, destination, ImageCopier.Options.noReplace(false),
                        CopyControl.none())));

        assertEquals(Status.Code.FAILED_PRECONDITION, refused.code(), refused.getMessage());
        assertEquals(RimpErrorReason.NOT_A_FILE, refused.reason(), refused.getMessage());
        assertTrue(refused.getMessage().contains(source.toString()), refused.getMessage());
        assertEquals(List.of(""), TestFiles.names(destination.getParent()), "no temporary left");
    }

    @Test
    void aSidecarThatIsALinkIsNotFollowed() throws Exception {
        Path source = images.resolve("disk.raw");
        Files.writeString(outside.resolve("forged.sha256"), TestFiles.sha256sum(outside.resolve("disk.raw")));
        Files.createSymbolicLink(images.resolve("disk.raw.sha256"), outside.resolve("forged.sha256"));

        CopyOutcome outcome = copier.copy(source, destination, ImageCopier.Options.noReplace(true),
                CopyControl.none());

        assertEquals("source", outcome.sha256ComparedWith(), "a linked sidecar is ignored");
        assertEquals("image bytes", Files.readString(destination));
    }
}
