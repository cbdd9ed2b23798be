package com.abiquo.aim.rimp.image;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.abiquo.aim.core.error.AimException;
import com.abiquo.aim.rimp.TestFiles;
import io.grpc.Status;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Uploads on the work disk: complete or nothing, announced size and checksum enforced, zeros stay holes. */
class UploadsTest {
    @TempDir
    Path folder;
    private Fixture fixture;

    @BeforeEach
    void setUp() throws Exception {
        fixture = new Fixture(folder);
    }

    @Test
    void writesTheFileOnlyWhenComplete() throws Exception {
        Path target = fixture.datastore.resolve("up/disk.raw");
        Uploads.Upload upload = fixture.uploads(1 << 20).begin(target.toString(), 10, "");
        upload.write(ByteBuffer.wrap("01234".getBytes()));
        assertTrue(Files.notExists(target), "nothing under the final name before the end");
        upload.write(ByteBuffer.wrap("56789".getBytes()));
        Uploads.Uploaded done = upload.finish();

        assertEquals("0123456789", Files.readString(target));
        assertEquals(TestFiles.sha256sum(target), done.sha256());
        assertEquals(List.of("", "disk.raw"), TestFiles.names(target.getParent()));
    }

    @Test
    void zeroChunksBecomeHoles() throws Exception {
        Path target = fixture.datastore.resolve("sparse.raw");
        Uploads.Upload upload = fixture.uploads(64 << 20).begin(target.toString(), 16L << 20, "");
        byte[] data = new byte[1 << 20];
        data[5] = 1;
        upload.write(ByteBuffer.wrap(data));
        for (int i = 0; i < 15; i++) {
            upload.write(ByteBuffer.wrap(new byte[1 << 20]));
        }
        upload.finish();

        assertEquals(16L << 20, Files.size(target));
        assertTrue(TestFiles.allocatedByStat(target) <= 2L << 20, "zeros were not written");
        assertEquals(1, Files.readAllBytes(target)[5]);
    }

    @Test
    void sizeLimitAndMismatchesLeaveNothing() throws Exception {
        Path target = fixture.datastore.resolve("x.raw");
        AimException tooLarge = assertThrows(AimException.class,
                () -> fixture.uploads(100).begin(target.toString(), 101, ""));
        assertEquals(Status.Code.RESOURCE_EXHAUSTED, tooLarge.code());

        Uploads.Upload longer = fixture.uploads(100).begin(target.toString(), 3, "");
        assertEquals(Status.Code.INVALID_ARGUMENT, assertThrows(AimException.class,
                () -> longer.write(ByteBuffer.wrap("abcd".getBytes()))).code());

        Uploads.Upload shorter = fixture.uploads(100).begin(target.toString(), 3, "");
        shorter.write(ByteBuffer.wrap("ab".getBytes()));
        assertEquals(Status.Code.INVALID_ARGUMENT, assertThrows(AimException.class, shorter::finish).code());

        Uploads.Upload badSum = fixture.uploads(100).begin(target.toString(), 3, "a".repeat(64));
        badSum.write(ByteBuffer.wrap("abc".getBytes()));
        assertEquals(Status.Code.DATA_LOSS, assertThrows(AimException.class, badSum::finish).code());

        Uploads.Upload aborted = fixture.uploads(100).begin(target.toString(), 3, "");
        aborted.write(ByteBuffer.wrap("a".getBytes()));
        aborted.abort();

        assertEquals(List.of(""), TestFiles.names(fixture.datastore), "no file and no temporary left");
    }

    @Test
    void neverOverwritesAndOneWriterPerDestination() throws Exception {
        Path existing = Files.writeString(fixture.datastore.resolve("taken"), "mine");
        assertEquals(Status.Code.ALREADY_EXISTS, assertThrows(AimException.class,
                () -> fixture.uploads(100).begin(existing.toString(), 1, "")).code());

        Uploads uploads = fixture.uploads(100);
        Uploads.Upload first = uploads.begin(fixture.datastore.resolve("new").toString(), 1, "");
        assertEquals(Status.Code.ABORTED, assertThrows(AimException.class,
                () -> uploads.begin(fixture.datastore.resolve("new").toString(), 1, "")).code());
        first.write(ByteBuffer.wrap(new byte[] {7}));
        first.finish();
        assertEquals("mine", Files.readString(existing));
    }
}
