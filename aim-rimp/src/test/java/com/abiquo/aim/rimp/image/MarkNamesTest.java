package com.abiquo.aim.rimp.image;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.abiquo.aim.core.error.AimException;
import com.abiquo.aim.rimp.TestFiles;
import com.abiquo.aim.rimp.copy.CopyControl;
import io.grpc.Status;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * AIM's own marks ({@code datastoreuuid.<uuid>} in a datastore, {@code .abiquo_repository} in the repository) are
 * never a client's path component: a client that could make one would change a datastore's identity.
 */
class MarkNamesTest {
    private static final String MARK = "datastoreuuid.00000000-0000-0000-0000-000000000001";

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

    private interface Call {
        void run() throws Exception;
    }

    @Test
    void everyClientPathRefusesAMarkNameAsInvalidArgumentNamingTheField() throws Exception {
        String repo = fixture.repository.toString();
        String ds = fixture.datastore.toString();
        List<String> wrong = new ArrayList<>();
        for (String mark : List.of(MARK, "DataStoreUuid.x", Repository.MARK)) {
            check(wrong, "path", () -> fixture.uploads(1 << 20).begin(ds + "/" + mark + "/x", 1, ""));
            check(wrong, "path", () -> fixture.uploads(1 << 20).begin(ds + "/" + mark, 1, ""));
            check(wrong, "path", () -> fixture.uploads(1 << 20).begin(repo + "/a/" + mark + "/x", 1, ""));
            check(wrong, "destination", () -> operations.instanceDisk(repo + "/img.qcow2", ds + "/" + mark + "/x",
                    false, CopyControl.none()));
            check(wrong, "new_path", () -> operations.rename(ds + "/vm1", ds + "/" + mark + "/x",
                    CopyControl.none()));
            check(wrong, "destination_repository_path", () -> operations.snapshot("vm1", "snap", mark, ds, false,
                    CopyControl.none()));
            check(wrong, "snapshot", () -> operations.snapshot("vm1", mark, "snaps", ds, false, CopyControl.none()));
            check(wrong, "vm_uuid", () -> operations.deploy("img.qcow2", ds, mark, false, CopyControl.none()));
            check(wrong, "datastore_path", () -> operations.deploy("img.qcow2", ds + "/" + mark, "vm2", false,
                    CopyControl.none()));
        }
        assertEquals(List.of(), wrong);
        assertEquals(List.of("", "vm1"), TestFiles.names(fixture.datastore), "no mark was made");
    }

    @Test
    void existingMarksCannotBeReadMovedOrRemovedThroughClientPaths() throws Exception {
        String ds = fixture.datastore.toString();
        Files.createDirectory(fixture.datastore.resolve(MARK));
        Files.writeString(fixture.datastore.resolve(MARK).resolve("f"), "inside a mark");
        List<String> wrong = new ArrayList<>();
        check(wrong, "old_path", () -> operations.rename(ds + "/" + MARK + "/f", ds + "/f", CopyControl.none()));
        check(wrong, "path", () -> operations.diskFileSize(ds + "/" + MARK + "/f"));
        check(wrong, "datastore_path", () -> operations.undeploy(ds + "/" + MARK, "f"));
        assertEquals(List.of(), wrong);
        assertEquals("inside a mark", Files.readString(fixture.datastore.resolve(MARK).resolve("f")));
    }

    private static void check(List<String> wrong, String field, Call call) {
        try {
            call.run();
            wrong.add(field + ": accepted");
        } catch (AimException refused) {
            if (refused.code() != Status.Code.INVALID_ARGUMENT || !refused.getMessage().startsWith(field + " ")
                    || !field.equals(refused.metadata().get("field"))) {
                wrong.add(field + ": " + refused.code() + " " + refused.metadata() + " " + refused.getMessage());
            }
        } catch (Exception other) {
            wrong.add(field + ": " + other);
        }
    }
}
