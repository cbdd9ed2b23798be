package com.abiquo.aim.rimp.copy;

import com.abiquo.aim.core.error.AimException;
import com.abiquo.aim.rimp.RimpErrorReason;
import io.grpc.Status;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Map;

/**
 * Puts a finished, fsynced temporary under its final name in one atomic step, then makes the rename itself durable
 * (fsync of the folder). Without replace, an existing file is never touched: renameat2(RENAME_NOREPLACE), or where
 * the file system cannot do that, link(2), which fails on an existing name just the same; only where neither
 * exists, a check under the caller's per-destination lock and a plain rename. Every rename goes through folders
 * opened without following links ({@link ConfinedFolder}), never by a path that a swapped-in link could redirect.
 */
public final class Publisher {
    private Publisher() {
    }

    /**
     * Renames a temporary from {@code held}, the folder it was created in and open since, to destination. The
     * destination's folder is opened again for the rename, without following links: a folder moved away and
     * replaced by a link since the copy started is refused (PATH_IS_LINK), and the temporary, still in the held
     * folder, is for the caller to remove from there.
     */
    public static void publish(ConfinedFolder held, Path temporary, Path destination, boolean replace)
            throws AimException {
        try (ConfinedFolder target = ConfinedFolder.open(destination.getParent(), false)) {
            String name = temporary.getFileName().toString();
            if (replace) {
                held.rename(name, target, destination.getFileName().toString(), true);
            } else {
                renameNoReplace(held, name, target, destination);
            }
            target.sync();
        } catch (IOException failure) {
            throw IoFailures.map("cannot put " + destination + " in place", failure);
        }
    }

    /**
     * renameat2(RENAME_NOREPLACE), falling back to link + unlink; ALREADY_EXISTS when destination exists. Both
     * folders are opened without following links (see {@link ConfinedFolder}) and fsynced through those
     * descriptors, so the rename is durable where it happened.
     */
    public static void renameNoReplace(Path from, Path to) throws AimException, IOException {
        try (ConfinedFolder fromFolder = ConfinedFolder.open(from.getParent(), false);
             ConfinedFolder toFolder = ConfinedFolder.open(to.getParent(), false)) {
            renameNoReplace(fromFolder, from.getFileName().toString(), toFolder, to);
            syncBoth(fromFolder, toFolder, from, to);
        }
    }

    /**
     * A rename that replaces an existing file (undeploy's backup); both folders opened without following links and
     * fsynced through them.
     */
    public static void renameReplacing(Path from, Path to) throws IOException {
        try (ConfinedFolder fromFolder = ConfinedFolder.open(from.getParent(), false);
             ConfinedFolder toFolder = ConfinedFolder.open(to.getParent(), false)) {
            fromFolder.rename(from.getFileName().toString(), toFolder, to.getFileName().toString(), true);
            syncBoth(fromFolder, toFolder, from, to);
        }
    }

    /** The destination's folder, and the source's when it is another one: one fsync where the rename stayed. */
    private static void syncBoth(ConfinedFolder fromFolder, ConfinedFolder toFolder, Path from, Path to)
            throws IOException {
        toFolder.sync();
        if (!from.getParent().equals(to.getParent())) {
            fromFolder.sync();
        }
    }

    private static void renameNoReplace(ConfinedFolder fromFolder, String fromName, ConfinedFolder toFolder, Path to)
            throws AimException, IOException {
        String toName = to.getFileName().toString();
        try {
            fromFolder.rename(fromName, toFolder, toName, false);
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
            fromFolder.link(fromName, toFolder, toName);
        } catch (NativeFile.NativeException noLink) {
            if (noLink.errno() == Libc.EEXIST) {
                throw exists(to);
            }
            // file systems without hard links (some SMB servers): the caller's per-destination lock keeps other
            // calls of this agent out; a check and a plain rename is the best left
            if (toFolder.contains(toName)) {
                throw exists(to);
            }
            fromFolder.rename(fromName, toFolder, toName, true);
            return;
        }
        fromFolder.remove(fromName);
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
