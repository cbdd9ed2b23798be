package com.abiquo.aim.rimp.image;

import com.abiquo.aim.rimp.copy.DestinationLocks;
import com.abiquo.aim.rimp.copy.ImageCopier;
import com.abiquo.aim.rimp.copy.Temporaries;
import com.abiquo.aim.rimp.datastore.Datastores;
import com.abiquo.aim.rimp.datastore.MountTable;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;

/** A repository (with its mark), two datastores and an outside folder, all real folders under one test folder. */
final class Fixture {
    final Path repository;
    final Path datastore;
    final Path datastore2;
    final Path outside;
    final Roots roots;
    final Temporaries temporaries = new Temporaries("fixture-host");
    final DestinationLocks locks = new DestinationLocks();

    Fixture(Path folder) throws IOException {
        repository = Files.createDirectories(folder.resolve("repository"));
        Files.createFile(repository.resolve(Repository.MARK));
        datastore = Files.createDirectories(folder.resolve("datastore"));
        datastore2 = Files.createDirectories(folder.resolve("datastore2"));
        outside = Files.createDirectories(folder.resolve("outside"));
        Files.writeString(outside.resolve("secret"), "secret");
        roots = new Roots(new Repository(repository),
                new Datastores(List.of(datastore, datastore2), Set.of(), MountTable.PROC_MOUNTS));
    }

    ImageOperations operations(boolean autoBackup, boolean autoRestore) {
        return new ImageOperations(roots, new ImageCopier(temporaries), locks, autoBackup, autoRestore);
    }

    Uploads uploads(long maxBytes) {
        return new Uploads(roots, temporaries, locks, maxBytes);
    }
}
