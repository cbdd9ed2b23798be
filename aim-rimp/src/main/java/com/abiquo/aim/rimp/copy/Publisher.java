package com.abiquo.aim.rimp.copy;

import com.abiquo.aim.core.error.AimException;
import com.abiquo.aim.rimp.RimpErrorReason;
import io.grpc.Status;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.Map;

/**
 * Puts a finished, fsynced temporary under its final name in one atomic step, then makes the rename itself durable
 * (fsync of the folder). Without replace, an existing file is never touched: renameat2(RENAME_NOREPLACE), or where
 * the file system cannot do that, link(2), which fails on an existing name just the same; only where neither
 * exists, a check under the caller's per-destination lock and a plain rename.
 */
public final class Publisher {
    private Publisher() {
    }

    public static void publish(Path temporary, Path destination, boolean replace) throws AimException {
        try {
            if (replace) {
                Files.move(temporary, destination, StandardCopyOption.ATOMIC_MOVE);
            } else {
                renameNoReplace(temporary, destination);
            }
            syncDirectory(destination.getParent());
        } catch (IOException failure) {
            throw IoFailures.map("cannot put " + destination + " in place", failure);
        }
    }

    /** renameat2(RENAME_NOREPLACE), falling back to link + unlink; ALREADY_EXISTS when destination exists. */
    public static void renameNoReplace(Path from, Path to) throws AimException, IOException {
        try {
            NativeFile.renameNoReplace(from, to);
            return;
        } catch (NativeFile.NativeException failure) {
            if (failure.errno() == Libc.EEXIST) {
                throw exists(to);
            }
            if (failure.errno() != Libc.EINVAL && failure.errno() != Libc.ENOSYS) {
                throw failure;
            }
        }
        try {
            Files.createLink(to, from);
        } catch (FileAlreadyExistsException exists) {
            throw exists(to);
        } catch (IOException | UnsupportedOperationException noLinks) {
            // file systems without hard links (some SMB servers): the caller's per-destination lock keeps other
            // calls of this agent out; a check and a plain rename is the best left
            if (Files.exists(to, java.nio.file.LinkOption.NOFOLLOW_LINKS)) {
                throw exists(to);
            }
            Files.move(from, to, StandardCopyOption.ATOMIC_MOVE);
            return;
        }
        Files.delete(from);
    }

    /** Whether a rename failed only because source and destination are on different mounts (EXDEV). */
    public static boolean crossDevice(IOException failure) {
        return failure instanceof NativeFile.NativeException nativeFailure && nativeFailure.errno() == Libc.EXDEV;
    }

    public static void syncDirectory(Path folder) throws IOException {
        try (FileChannel channel = FileChannel.open(folder, StandardOpenOption.READ)) {
            channel.force(true);
        }
    }

    public static AimException exists(Path path) {
        return new AimException(Status.Code.ALREADY_EXISTS, RimpErrorReason.DESTINATION_EXISTS,
                path + " already exists and is never overwritten by this operation", Map.of("path", path.toString()),
                null);
    }
}
