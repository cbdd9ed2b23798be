package com.abiquo.aim.rimp.image;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.abiquo.aim.core.error.AimException;
import com.abiquo.aim.rimp.RimpErrorReason;
import com.abiquo.aim.rimp.copy.CopyControl;
import io.grpc.Status;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;
import org.junit.jupiter.api.io.TempDir;

/**
 * A file where a destination needs a folder (the parent or any ancestor) is the caller's conflict: every operation
 * that creates folders answers FAILED_PRECONDITION naming the field and the file, never INTERNAL.
 */
class FileInTheWayTest {
    @TempDir
    Path folder;
    private Fixture fixture;
    private ImageOperations operations;

    @BeforeEach
    void setUp() throws Exception {
        fixture = new Fixture(folder);
        operations = fixture.operations(false, false);
        Files.writeString(fixture.repository.resolve("img.qcow2"), "image");
        Files.writeString(fixture.datastore.resolve("vm1"), "disk");
    }

    @Test
    void aFileAsParentOrAncestorIsAFailedPreconditionNamingTheField() throws Exception {
        String repo = fixture.repository.toString();
        String ds = fixture.datastore.toString();
        List<String> wrong = new ArrayList<>();
        for (String below : List.of("/x", "/sub/x", "/sub/deeper/x")) {
            check(wrong, "path", fixture.repository.resolve("img.qcow2"),
                    () -> fixture.uploads(1 << 20).begin(repo + "/img.qcow2" + below, 1, ""));
            check(wrong, "destination", fixture.datastore.resolve("vm1"),
                    () -> operations.instanceDisk(repo + "/img.qcow2", ds + "/vm1" + below, false,
                            CopyControl.none()));
            check(wrong, "new_path", fixture.datastore.resolve("vm1"),
                    () -> operations.rename(repo + "/img.qcow2", ds + "/vm1" + below, CopyControl.none()));
            check(wrong, "destination_repository_path", fixture.repository.resolve("img.qcow2"),
                    () -> operations.snapshot("vm1", "snap", "img.qcow2" + below.substring(0, below.length() - 2),
                            ds, false, CopyControl.none()));
        }
        assertEquals(List.of(), wrong);
        assertTrue(Files.isRegularFile(fixture.repository.resolve("img.qcow2")), "the source stays");
    }

    private static void check(List<String> wrong, String field, Path file, Executable call) {
        AimException refused = assertThrows(AimException.class, call);
        String expected = "is a file, not a folder";
        if (refused.code() != Status.Code.FAILED_PRECONDITION || refused.reason() != RimpErrorReason.NOT_A_FILE
                || !refused.getMessage().contains(field) || !refused.getMessage().contains(file + " " + expected)
                || !field.equals(refused.metadata().get("field"))) {
            wrong.add(field + ": " + refused.code() + " " + refused.reason() + " " + refused.metadata() + " "
                    + refused.getMessage());
        }
    }
}
