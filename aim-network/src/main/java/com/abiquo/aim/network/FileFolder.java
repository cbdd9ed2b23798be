package com.abiquo.aim.network;

import static java.util.Objects.requireNonNull;

import com.abiquo.aim.core.error.AimException;
import io.grpc.Status;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.FileAttribute;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ThreadLocalRandom;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.Logger;

/**
 * One folder of network definition files (ifcfg or keyfile) and how AIM changes them. Writes are atomic: a hidden
 * temporary in the same folder (neither initscripts nor NetworkManager read dot files), created with its final mode,
 * fsync, rename, fsync of the folder.
 *
 * @param configKey the [vlan] key that names the folder, for messages
 */
record FileFolder(Path folder, String configKey, Set<PosixFilePermission> mode) {
    private static final Logger LOG = LogManager.getLogger(FileFolder.class);

    FileFolder {
        requireNonNull(folder, "folder is null");
        requireNonNull(configKey, "configKey is null");
        mode = Set.copyOf(mode);
    }

    /** The file's text; bytes that are not UTF-8 are kept as {@link NodeFileText} escapes, never a failure. */
    Optional<String> read(String fileName) throws AimException {
        try {
            return Optional.of(NodeFileText.decode(Files.readAllBytes(folder.resolve(fileName))));
        } catch (NoSuchFileException gone) {
            return Optional.empty();
        } catch (IOException failure) {
            throw failure("read", fileName, failure);
        }
    }

    /**
     * {@link #read} for a scan of files AIM may not own (the node's ifcfg-eth0, say): one that cannot be read is
     * logged and counts as absent, rather than failing the whole scan.
     */
    Optional<String> readForScan(String fileName) {
        try {
            return read(fileName);
        } catch (AimException unreadable) {
            LOG.warn("{}: skipped", unreadable.getMessage());
            return Optional.empty();
        }
    }

    /** Names of the regular files matching the glob, sorted; an absent folder has none. */
    List<String> list(String glob) throws AimException {
        List<String> names = new ArrayList<>();
        try (DirectoryStream<Path> entries = Files.newDirectoryStream(folder, glob)) {
            for (Path entry : entries) {
                if (Files.isRegularFile(entry)) {
                    names.add(entry.getFileName().toString());
                }
            }
        } catch (NoSuchFileException absent) {
            return List.of();
        } catch (IOException failure) {
            throw failure("list", folder.toString(), failure);
        }
        names.sort(null);
        return names;
    }

    /**
     * Writes the file atomically (readers see the old content or the new one, never a part). Text that {@link #read}
     * returned is written back with the very bytes it was read from.
     */
    void write(String fileName, String content) throws AimException {
        Path target = folder.resolve(fileName);
        Path temporary = folder.resolve("." + fileName + ".aim-" + Long.toHexString(
                ThreadLocalRandom.current().nextLong()));
        FileAttribute<Set<PosixFilePermission>> permissions = PosixFilePermissions.asFileAttribute(mode);
        try {
            // created with its final mode (a keyfile's 0600): never readable by others, not even for a moment
            try (FileChannel channel = FileChannel.open(temporary, Set.of(StandardOpenOption.CREATE_NEW,
                    StandardOpenOption.WRITE), permissions)) {
                ByteBuffer bytes = ByteBuffer.wrap(NodeFileText.encode(content));
                while (bytes.hasRemaining()) {
                    channel.write(bytes);
                }
                channel.force(true);
            }
            Files.setPosixFilePermissions(temporary, mode);   // the umask may have taken bits away
            try {
                Files.move(temporary, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            } catch (AtomicMoveNotSupportedException notAtomic) {
                Files.move(temporary, target, StandardCopyOption.REPLACE_EXISTING);
            }
            syncFolder();
        } catch (IOException failure) {
            try {
                Files.deleteIfExists(temporary);
            } catch (IOException ignored) {
                // the write already failed; that failure is what the caller needs to hear about
            }
            throw failure("write", fileName, failure);
        }
    }

    /** @return whether there was a file to remove */
    boolean remove(String fileName) throws AimException {
        try {
            boolean removed = Files.deleteIfExists(folder.resolve(fileName));
            if (removed) {
                syncFolder();
            }
            return removed;
        } catch (IOException failure) {
            throw failure("remove", fileName, failure);
        }
    }

    /** Makes a rename or removal durable; some file systems refuse to sync a folder, which is not worth failing. */
    private void syncFolder() {
        try (FileChannel channel = FileChannel.open(folder, StandardOpenOption.READ)) {
            channel.force(true);
        } catch (IOException ignored) {
            // best effort only
        }
    }

    private AimException failure(String action, String fileName, IOException failure) {
        String why = failure instanceof NoSuchFileException ? "no such file or folder"
                : failure.getClass().getSimpleName() + (failure.getMessage() == null ? "" : ": "
                + failure.getMessage());
        return new AimException(Status.Code.FAILED_PRECONDITION, VlanErrorReason.SCRIPTS_FOLDER_FAILURE,
                "cannot " + action + " "
                + folder.resolve(fileName) + " ([vlan] " + configKey + "): " + why, Map.of("path",
                folder.resolve(fileName).toString()), failure);
    }
}
