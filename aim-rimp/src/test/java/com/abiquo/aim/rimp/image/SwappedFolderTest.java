package com.abiquo.aim.rimp.image;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.abiquo.aim.core.error.AimException;
import com.abiquo.aim.rimp.RimpErrorReason;
import com.abiquo.aim.rimp.TestFiles;
import com.abiquo.aim.rimp.copy.CopyControl;
import io.grpc.Status;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The black-box tester's race: once a write has started, its folder is moved away and a symbolic link to an outside
 * folder put in its place, holding a file named like the temporary. The final rename (and the clean-up) must land in
 * the folder that was checked, never through the link.
 */
class SwappedFolderTest {
    @TempDir
    Path folder;
    private Fixture fixture;
    private Path victim;

    @BeforeEach
    void setUp() throws Exception {
        fixture = new Fixture(folder);
        victim = Files.createDirectories(fixture.outside.resolve("victim"));
    }

    @Test
    void anUploadWhoseFolderBecomesALinkFailsAndTouchesNothingOutside() throws Exception {
        Path race = fixture.repository.resolve("race");
        Uploads.Upload upload = fixture.uploads(1 << 20).begin(race.resolve("f").toString(), 10, "");
        upload.write(ByteBuffer.wrap("01234".getBytes()));
        Path moved = swapForLink(race);
        upload.write(ByteBuffer.wrap("56789".getBytes()));

        AimException refused = assertThrows(AimException.class, upload::finish);

        assertSwapRefused(refused, race, moved);
    }

    @Test
    void aCopyWhoseFolderBecomesALinkFailsAndTouchesNothingOutside() throws Exception {
        Files.writeString(fixture.datastore.resolve("vm1"), "disk bytes");
        Path race = Files.createDirectories(fixture.datastore.resolve("race"));
        Path[] moved = new Path[1];
        CopyControl swapMidCopy = new CopyControl((done, total, rate) -> {
            if (moved[0] == null) {
                try {
                    moved[0] = swapForLink(race);
                } catch (IOException failure) {
                    throw new UncheckedIOException(failure);
                }
            }
        });

        AimException refused = assertThrows(AimException.class, () -> fixture.operations(false, false)
                .instanceDisk(fixture.datastore.resolve("vm1").toString(), race.resolve("f").toString(), false,
                        swapMidCopy));

        assertSwapRefused(refused, race, moved[0]);
    }

    @Test
    void anUploadWhoseFolderWasReplacedByARealOneEndsInsideTheRoot() throws Exception {
        Path race = fixture.repository.resolve("race");
        Uploads.Upload upload = fixture.uploads(1 << 20).begin(race.resolve("f").toString(), 10, "");
        upload.write(ByteBuffer.wrap("01234".getBytes()));
        Path moved = race.resolveSibling("race-moved");
        Files.move(race, moved);
        Files.createDirectory(race);
        upload.write(ByteBuffer.wrap("56789".getBytes()));

        upload.finish();

        assertEquals("0123456789", Files.readString(race.resolve("f")));
        assertEquals(List.of(""), TestFiles.names(moved), "the temporary was moved out, nothing left behind");
        assertEquals(List.of(""), TestFiles.names(victim));
    }

    /** Moves the folder away, puts a link to the victim in its place and plants a file named like the temporary. */
    private Path swapForLink(Path race) throws IOException {
        Path moved = race.resolveSibling(race.getFileName() + "-moved");
        Files.move(race, moved);
        Files.createSymbolicLink(race, victim);
        try (Stream<Path> files = Files.list(moved)) {
            for (Path temporary : files.toList()) {
                Files.writeString(victim.resolve(temporary.getFileName()), "foreign");
            }
        }
        return moved;
    }

    private void assertSwapRefused(AimException refused, Path race, Path moved) throws IOException {
        assertEquals(Status.Code.FAILED_PRECONDITION, refused.code(), refused.getMessage());
        assertEquals(RimpErrorReason.PATH_IS_LINK, refused.reason(), refused.getMessage());
        assertTrue(refused.getMessage().contains(race + " is a symbolic link"), refused.getMessage());
        try (Stream<Path> planted = Files.list(victim)) {
            List<Path> files = planted.toList();
            assertEquals(1, files.size(), "only the planted file is in the outside folder: " + files);
            assertEquals("foreign", Files.readString(files.get(0)), "the planted file is untouched");
        }
        assertEquals(List.of(""), TestFiles.names(moved), "no temporary left behind in the moved folder");
    }
}
