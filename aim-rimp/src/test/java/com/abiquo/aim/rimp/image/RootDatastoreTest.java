package com.abiquo.aim.rimp.image;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import com.abiquo.aim.core.error.AimException;
import com.abiquo.aim.rimp.datastore.Datastores;
import io.grpc.Status;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * With datastores from the mount table, "/" is a datastore on most nodes: a client naming "/" itself as a file, or
 * a folder inside a datastore that is a symbolic link into the repository, is refused before anything is touched.
 */
class RootDatastoreTest {
    @TempDir
    Path folder;

    private Roots rootsWithSlashAsDatastore(Path repository) throws Exception {
        Path mounts = Files.writeString(folder.resolve("mounts"), "/dev/vda / ext4 rw,relatime 0 0\n");
        return new Roots(new Repository(repository), new Datastores(List.of(), Set.of("ext4"), mounts));
    }

    @Test
    void theFileSystemRootIsNoFile() throws Exception {
        Path repository = Files.createDirectories(folder.resolve("repository"));
        Files.createFile(repository.resolve(Repository.MARK));
        AimException refused = assertThrows(AimException.class,
                () -> rootsWithSlashAsDatastore(repository).anywhere("/", "destination_path"));
        assertEquals(Status.Code.INVALID_ARGUMENT, refused.code(), refused.getMessage());
    }

    @Test
    void aDatastoreFolderLinkedIntoTheRepositoryIsRefused() throws Exception {
        Path repository = Files.createDirectories(folder.resolve("repository"));
        Files.createFile(repository.resolve(Repository.MARK));
        Files.createDirectories(repository.resolve("images"));
        Path link = Files.createSymbolicLink(folder.resolve("datastore-link"), repository.resolve("images"));
        AimException refused = assertThrows(AimException.class,
                () -> rootsWithSlashAsDatastore(repository).datastoreFolder(link.toString(), "datastore_path"));
        assertEquals(Status.Code.PERMISSION_DENIED, refused.code(), refused.getMessage());
    }
}
