package com.abiquo.aim.rimp.image;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import com.abiquo.aim.core.error.AimException;
import com.abiquo.aim.rimp.LoopMount;
import com.abiquo.aim.rimp.TestFiles;
import com.abiquo.aim.rimp.copy.DestinationLocks;
import com.abiquo.aim.rimp.copy.Temporaries;
import com.abiquo.aim.rimp.datastore.Datastores;
import com.abiquo.aim.rimp.datastore.MountTable;
import com.abiquo.aim.testing.SystemTestRequirements;
import io.grpc.Status;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** An upload whose datastore (a real 8 MiB tmpfs) fills up while it runs: RESOURCE_EXHAUSTED, nothing left. */
@Tag("system")
class UploadDiskFullTest {
    @TempDir
    Path folder;

    @Test
    void aDatastoreThatFillsUpDuringAnUploadLeavesNothing() throws Exception {
        SystemTestRequirements.requireRoot("mounting a tmpfs");
        Path repository = Files.createDirectories(folder.resolve("repository"));
        try (LoopMount small = LoopMount.tmpfs(folder, 8L << 20)) {
            Uploads uploads = new Uploads(new Roots(new Repository(repository), new Datastores(
                    List.of(small.mountPoint), Set.of(), MountTable.PROC_MOUNTS)), new Temporaries("h"),
                    new DestinationLocks(), 1L << 30);
            Uploads.Upload upload = uploads.begin(small.mountPoint.resolve("disk.raw").toString(), 6L << 20, "");
            // another writer takes most of the space after the upload's space check
            TestFiles.dense(small.mountPoint.resolve("other"), 5L << 20, 1);
            byte[] chunk = new byte[1 << 20];
            Arrays.fill(chunk, (byte) 3);

            AimException full = assertThrows(AimException.class, () -> {
                for (int i = 0; i < 6; i++) {
                    upload.write(ByteBuffer.wrap(chunk));
                }
                upload.finish();
            });

            assertEquals(Status.Code.RESOURCE_EXHAUSTED, full.code(), full.getMessage());
            assertEquals(List.of("", "other"), TestFiles.names(small.mountPoint), "no upload, no temporary");
        }
    }
}
