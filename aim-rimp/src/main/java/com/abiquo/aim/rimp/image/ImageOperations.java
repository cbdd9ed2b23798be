package com.abiquo.aim.rimp.image;

import static java.util.Objects.requireNonNull;

import com.abiquo.aim.core.error.AimException;
import com.abiquo.aim.rimp.RimpErrorReason;
import com.abiquo.aim.rimp.copy.ConfinedFolder;
import com.abiquo.aim.rimp.copy.CopyControl;
import com.abiquo.aim.rimp.copy.CopyMethod;
import com.abiquo.aim.rimp.copy.CopyOutcome;
import com.abiquo.aim.rimp.copy.DestinationLocks;
import com.abiquo.aim.rimp.copy.ImageCopier;
import com.abiquo.aim.rimp.copy.IoFailures;
import com.abiquo.aim.rimp.copy.Publisher;
import io.grpc.Status;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.NoSuchFileException;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.Logger;

/**
 * The original AIM's image operations with their rules (deploy, undeploy, snapshot, instance, rename, size), on
 * top of confined paths ({@link Roots}), per-destination locks and the safe copier.
 */
@SuppressWarnings("try") // the per-destination locks are held by try-with-resources without being used
public final class ImageOperations {
    private static final Logger LOG = LogManager.getLogger(ImageOperations.class);
    private static final LinkOption NOFOLLOW = LinkOption.NOFOLLOW_LINKS;
    static final String BACKUP_FOLDER = "backup";

    private final Roots roots;
    private final ImageCopier copier;
    private final DestinationLocks locks;
    private final boolean autoBackup;
    private final boolean autoRestore;

    public ImageOperations(Roots roots, ImageCopier copier, DestinationLocks locks, boolean autoBackup,
                           boolean autoRestore) {
        this.roots = requireNonNull(roots, "roots is null");
        this.copier = requireNonNull(copier, "copier is null");
        this.locks = requireNonNull(locks, "locks is null");
        this.autoBackup = autoBackup;
        this.autoRestore = autoRestore;
    }

    /** Sizes of a disk file. */
    public record DiskSize(long sizeBytes, long allocatedBytes) {
    }

    /** What undeploy did. */
    public record Undeployed(boolean instanceFound, Optional<Path> backup) {
    }

    public DiskSize diskFileSize(String path) throws AimException {
        Path file = roots.anywhere(path, "path");
        requireRegularFile(file, "path");
        try {
            return new DiskSize(Files.size(file), ImageCopier.allocatedBytes(file));
        } catch (IOException failure) {
            throw IoFailures.map("cannot read the size of " + file, failure);
        }
    }

    /**
     * Deploy: repository image -> {@code <datastore>/<vmUuid>}. An existing instance is kept when autoRestore and
     * autoBackup are both on, otherwise removed; with autoRestore a backup is moved back instead of copying.
     */
    public CopyOutcome deploy(String repositoryPath, String datastorePath, String vmUuid, boolean verify,
                              CopyControl control) throws AimException {
        long started = System.nanoTime();
        Path source = roots.inRepository(repositoryPath, "repository_path");
        Path folder = roots.datastoreFolder(datastorePath, "datastore_path");
        Path instance = roots.instance(folder, vmUuid, "vm_uuid");
        Path backup = folder.resolve(BACKUP_FOLDER).resolve(instance.getFileName());
        try (DestinationLocks.Held held = locks.acquire(instance, backup)) {
            refuseLink(instance, "replace");
            boolean instanceExists = Files.exists(instance, NOFOLLOW);
            if (instanceExists && Files.isDirectory(instance, NOFOLLOW)) {
                throw new AimException(Status.Code.FAILED_PRECONDITION, RimpErrorReason.INSTANCE_IS_FOLDER,
                        "the instance "
                        + instance + " is a folder; refusing to replace it", Map.of("path", instance.toString()), null);
            }
            if (instanceExists && autoRestore && autoBackup) {
                LOG.info("Deploy of {}: keeping the existing instance (autoRestore and autoBackup)", instance);
                return existing(instance, CopyMethod.KEPT_EXISTING, started);
            }
            boolean restore = autoRestore && backupFolderIsReal(folder) && Files.isRegularFile(backup, NOFOLLOW);
            if (!restore) {
                requireRegularFile(source, "repository_path"); // before removing anything
            }
            // a deploy that waited (in the work queue, for the lock) may have been cancelled or timed out meanwhile:
            // it must not remove the instance nor move the backup for a caller that is gone
            control.checkCancelled();
            if (instanceExists) {
                LOG.info("Deploy of {}: removing the existing instance", instance);
                delete(instance);
            }
            if (restore) {
                control.checkCancelled();
                try {
                    Publisher.renameNoReplace(backup, instance); // both folders fsynced through their fds
                } catch (IOException failure) {
                    throw IoFailures.map("cannot restore " + backup + " to " + instance, failure);
                }
                LOG.info("Deploy of {}: restored from {}", instance, backup);
                return existing(instance, CopyMethod.RENAMED, started);
            }
            return copier.copy(source, instance, ImageCopier.Options.noReplace(verify), control);
        }
    }

    /** Undeploy: with autoBackup the instance moves to {@code <datastore>/backup/}, otherwise it is deleted. */
    public Undeployed undeploy(String datastorePath, String vmUuid) throws AimException {
        Path folder = roots.datastoreFolder(datastorePath, "datastore_path");
        Path instance = roots.instance(folder, vmUuid, "vm_uuid");
        Path backupFolder = folder.resolve(BACKUP_FOLDER);
        Path backup = backupFolder.resolve(instance.getFileName());
        try (DestinationLocks.Held held = locks.acquire(instance, backup)) {
            if (!Files.exists(instance, NOFOLLOW)) {
                LOG.warn("Undeploy: there is no instance {}; nothing to do", instance);
                return new Undeployed(false, Optional.empty());
            }
            refuseLink(instance, "delete");
            if (Files.isDirectory(instance, NOFOLLOW)) {
                throw new AimException(Status.Code.FAILED_PRECONDITION, RimpErrorReason.INSTANCE_IS_FOLDER,
                        "the instance "
                        + instance + " is a folder; refusing to delete it", Map.of("path", instance.toString()), null);
            }
            if (!autoBackup) {
                delete(instance);
                return new Undeployed(true, Optional.empty());
            }
            try {
                if (!Files.exists(backupFolder, NOFOLLOW)) {
                    ConfinedFolder.open(backupFolder, true).close();
                }
                if (!backupFolderIsReal(folder)) {
                    throw new AimException(Status.Code.FAILED_PRECONDITION, RimpErrorReason.BACKUP_FOLDER_INVALID,
                            backupFolder
                            + " is not a plain folder (a symbolic link or a file)", Map.of(), null);
                }
                if (Files.isDirectory(backup, NOFOLLOW)) {
                    // an older backup is replaced, but a folder there is not a backup AIM made
                    throw new AimException(Status.Code.FAILED_PRECONDITION, RimpErrorReason.BACKUP_IS_FOLDER,
                            "cannot back up "
                            + instance + ": " + backup + " is a folder; the instance was left in place",
                            Map.of("path", backup.toString()), null);
                }
                Publisher.renameReplacing(instance, backup); // replaces an older backup; both folders fsynced
            } catch (IOException failure) {
                throw IoFailures.map("cannot back up " + instance + " to " + backup, failure);
            }
            LOG.info("Undeploy: {} backed up to {}", instance, backup);
            return new Undeployed(true, Optional.of(backup));
        }
    }

    /** Snapshot: {@code <datastore>/<vmUuid>} -> {@code <repository>/<folder>/<snapshot>}; never overwrites. */
    public CopyOutcome snapshot(String vmUuid, String snapshot, String destinationRepositoryPath,
                                String sourceDatastorePath, boolean verify, CopyControl control) throws AimException {
        Path folder = roots.datastoreFolder(sourceDatastorePath, "source_datastore_path");
        // read through the confinement too: an instance that is a symbolic link must not lead out
        Path source = roots.anywhere(folder.resolve(Roots.fileName(vmUuid, "vm_uuid")).toString(), "vm_uuid");
        requireRegularFile(source, "vm_uuid");
        String name = Roots.fileName(snapshot, "snapshot");
        Path destinationFolder = destinationRepositoryPath == null || destinationRepositoryPath.isEmpty()
                ? roots.repository().root().root()
                : roots.inRepository(destinationRepositoryPath, "destination_repository_path");
        Path destination = destinationFolder.resolve(name);
        try (DestinationLocks.Held held = locks.acquire(destination)) {
            createFolders(destinationFolder, "destination_repository_path").close();
            return copier.copy(source, destination, ImageCopier.Options.noReplace(verify), control);
        }
    }

    /** Instance disk: a copy to a new file; never overwrites. */
    public CopyOutcome instanceDisk(String sourcePath, String destinationPath, boolean verify, CopyControl control)
            throws AimException {
        Path source = roots.anywhere(sourcePath, "source");
        requireRegularFile(source, "source");
        Path destination = roots.managedFile(destinationPath, "destination");
        try (DestinationLocks.Held held = locks.acquire(destination)) {
            createFolders(destination.getParent(), "destination").close();
            return copier.copy(source, destination, ImageCopier.Options.noReplace(verify), control);
        }
    }

    /**
     * Rename: one atomic rename inside a file system, a safe copy then delete across file systems (also where two
     * mounts share a device number, which rename(2) refuses with EXDEV). {@code control} cancels the copy.
     */
    public CopyOutcome rename(String oldPath, String newPath, CopyControl control) throws AimException {
        long started = System.nanoTime();
        Path source = roots.managedFile(oldPath, "old_path");
        Path destination = roots.managedFile(newPath, "new_path");
        try (DestinationLocks.Held held = locks.acquire(source, destination)) {
            requireRegularFile(source, "old_path");
            createFolders(destination.getParent(), "new_path").close();
            boolean sameFileSystem;
            try {
                sameFileSystem = Files.getAttribute(source, "unix:dev")
                        .equals(Files.getAttribute(destination.getParent(), "unix:dev"));
            } catch (IOException failure) {
                throw IoFailures.map("cannot rename " + source, failure);
            }
            if (sameFileSystem) {
                try {
                    Publisher.renameNoReplace(source, destination); // both folders fsynced through their fds
                    return existing(destination, CopyMethod.RENAMED, started);
                } catch (IOException failure) {
                    if (!Publisher.crossDevice(failure)) {
                        throw IoFailures.map("cannot rename " + source + " to " + destination, failure);
                    }
                    LOG.info("Rename of {}: another mount of the same device; copying instead", source);
                }
            }
            CopyOutcome copied = copier.copy(source, destination, ImageCopier.Options.noReplace(false), control);
            removeCopiedSource(source, destination, Publisher::syncDirectory);
            return copied;
        }
    }

    /** Syncs a folder; a seam for tests, which cannot make a real folder fsync fail. */
    @FunctionalInterface
    interface FolderSync {
        void sync(Path folder) throws IOException;
    }

    /**
     * The end of a rename across file systems: removes the source of the copy. A source that cannot be removed
     * means the rename did not happen, so the copy is taken back; once the source is gone the copy is the only
     * one left, so a failed fsync of the folder is reported but never takes the copy with it.
     */
    static void removeCopiedSource(Path source, Path destination, FolderSync folderSync) throws AimException {
        try {
            ConfinedFolder.deleteFile(source);
        } catch (IOException failure) {
            deleteQuietly(destination);
            throw IoFailures.map("cannot delete " + source, failure);
        }
        try {
            folderSync.sync(source.getParent());
        } catch (IOException failure) {
            LOG.warn("Rename of {}: the copy {} is in place and the source removed, but the removal may not be "
                    + "durable: {}", source, destination, failure.getMessage());
            throw IoFailures.map("removed " + source + " after copying it to " + destination
                    + ", but cannot sync its folder", failure);
        }
    }

    private static CopyOutcome existing(Path file, CopyMethod method, long startedNanos) throws AimException {
        try {
            return new CopyOutcome(file, method, Files.size(file), 0, ImageCopier.allocatedBytes(file),
                    Duration.ofNanos(System.nanoTime() - startedNanos), "", "");
        } catch (IOException failure) {
            throw IoFailures.map("cannot read " + file, failure);
        }
    }

    /**
     * AIM never makes instances that are links; one there was put by someone else, and what it points to is not ours.
     */
    private static void refuseLink(Path instance, String action) throws AimException {
        if (Files.isSymbolicLink(instance)) {
            throw new AimException(Status.Code.FAILED_PRECONDITION, RimpErrorReason.INSTANCE_IS_LINK,
                    "the instance " + instance
                    + " is a symbolic link, which AIM never creates; refusing to " + action + " it",
                    Map.of("path", instance.toString()), null);
        }
    }

    private static void deleteQuietly(Path file) {
        try {
            ConfinedFolder.deleteFile(file);
        } catch (NoSuchFileException gone) {
            // nothing to take back
        } catch (IOException failure) {
            LOG.warn("Could not remove {} after a failed rename: {}", file, failure.getMessage());
        }
    }

    private static boolean backupFolderIsReal(Path datastoreFolder) {
        return Files.isDirectory(datastoreFolder.resolve(BACKUP_FOLDER), NOFOLLOW);
    }

    private static void requireRegularFile(Path file, String field) throws AimException {
        if (!Files.exists(file, NOFOLLOW)) {
            throw new AimException(Status.Code.NOT_FOUND, RimpErrorReason.PATH_NOT_FOUND,
                    field + ": " + file + " does not exist",
                    Map.of("path", file.toString(), "field", field), null);
        }
        if (!Files.isRegularFile(file)) {
            throw new AimException(Status.Code.INVALID_ARGUMENT, RimpErrorReason.NOT_A_FILE, field + ": " + file
                    + " is not a regular file", Map.of("path", file.toString(), "field", field), null);
        }
    }

    private static void delete(Path file) throws AimException {
        try {
            ConfinedFolder.deleteFileDurably(file);
        } catch (IOException failure) {
            throw IoFailures.map("cannot delete " + file, failure);
        }
    }

    /**
     * Creates a destination's missing folders and returns the last one open; a file or a link on the way is the
     * caller's conflict, named by {@code field}.
     */
    static ConfinedFolder createFolders(Path folder, String field) throws AimException {
        try {
            return ConfinedFolder.open(folder, true);
        } catch (ConfinedFolder.NotAFolder conflict) {
            throw IoFailures.notAFolder(field, conflict);
        } catch (IOException failure) {
            throw IoFailures.map("cannot create the folder " + folder, failure);
        }
    }
}
