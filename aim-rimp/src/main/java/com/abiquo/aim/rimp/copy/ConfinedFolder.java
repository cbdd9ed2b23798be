package com.abiquo.aim.rimp.copy;

import com.sun.jna.LastErrorException;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * An open folder (an O_PATH descriptor) reached from "/" one name at a time without following any symbolic link,
 * and the file operations AIM makes inside it: create, rename, link, remove. The paths AIM writes to are real paths
 * (checked by the roots), so a link on the way was put there after the check; and once the folder is open, a folder
 * moved away and replaced by a link to somewhere else no longer changes where these operations land.
 */
public final class ConfinedFolder implements AutoCloseable {
    private static final Libc LIBC = Libc.INSTANCE;
    private static final int FOLDER_FLAGS = Libc.O_PATH | Libc.O_DIRECTORY | Libc.O_NOFOLLOW | Libc.O_CLOEXEC;

    private final int fd;
    private final Path path;
    private final AtomicBoolean closed = new AtomicBoolean();

    private ConfinedFolder(int fd, Path path) {
        this.fd = fd;
        this.path = path;
    }

    /**
     * Opens an absolute folder, creating the missing ones on the way when {@code create}.
     *
     * @throws NotAFolder where a name on the way is a file or a symbolic link
     * @throws NativeFile.NativeException any other failure, with its errno (ENOENT when missing and not created)
     */
    public static ConfinedFolder open(Path folder, boolean create) throws IOException {
        if (!folder.isAbsolute()) {
            throw new IllegalArgumentException(folder + " is not absolute");
        }
        Path reached = folder.getRoot();
        int current = call("open " + reached, () -> LIBC.open(reached.toString(), FOLDER_FLAGS, 0));
        try {
            Path walked = reached;
            for (Path name : folder) {
                walked = walked.resolve(name);
                int next = step(current, requireName(name.toString()), walked, create);
                int previous = current;
                current = next; // owned before the previous one is closed: a failing close leaks nothing
                closeQuietly(previous);
            }
            ConfinedFolder opened = new ConfinedFolder(current, folder);
            current = -1;
            return opened;
        } finally {
            if (current >= 0) { // any failure, Errors included
                closeQuietly(current);
            }
        }
    }

    private static int step(int parent, String name, Path walked, boolean create) throws IOException {
        try {
            return LIBC.openat(parent, name, FOLDER_FLAGS, 0);
        } catch (LastErrorException failure) {
            if (failure.getErrorCode() == Libc.ENOTDIR || failure.getErrorCode() == Libc.ELOOP) {
                throw new NotAFolder(walked, Files.isSymbolicLink(walked));
            }
            if (failure.getErrorCode() != Libc.ENOENT || !create) {
                throw new NativeFile.NativeException("open " + walked, failure.getErrorCode());
            }
        }
        try {
            LIBC.mkdirat(parent, name, 0777); // the umask decides, as for Files.createDirectories
            syncFolder(parent, walked.getParent()); // the new folder's name is durable before anything lands in it
        } catch (LastErrorException failure) {
            if (failure.getErrorCode() != Libc.EEXIST) { // made meanwhile by another call: fine
                throw new NativeFile.NativeException("create the folder " + walked, failure.getErrorCode());
            }
        }
        return step(parent, name, walked, false);
    }

    /** Deletes a file (never a folder) through its folder opened without following links. */
    public static void deleteFile(Path file) throws IOException {
        deleteFile(file, false);
    }

    /** Deletes a file as {@link #deleteFile(Path)} and fsyncs that same open folder, so the removal is durable. */
    public static void deleteFileDurably(Path file) throws IOException {
        deleteFile(file, true);
    }

    private static void deleteFile(Path file, boolean sync) throws IOException {
        try (ConfinedFolder folder = open(file.getParent(), false)) {
            if (!folder.remove(file.getFileName().toString())) {
                throw new NoSuchFileException(file.toString());
            }
            if (sync) {
                folder.sync();
            }
        }
    }

    public Path path() {
        return path;
    }

    /**
     * Opens a regular file here for reading, never through a link (ELOOP) and never blocking on a FIFO or a device
     * put in its place (O_NONBLOCK; refused by its type, as what the descriptor is, not what the name is now).
     *
     * @throws NotARegularFile when the name is a folder, a FIFO, a device or a socket
     */
    NativeFile openRegular(String name) throws IOException {
        Path file = path.resolve(requireName(name));
        NativeFile opened = NativeFile.adopt(call("open " + file, () -> LIBC.openat(fd, name,
                Libc.O_RDONLY | Libc.O_NOFOLLOW | Libc.O_NONBLOCK | Libc.O_CLOEXEC, 0)), file);
        boolean kept = false;
        try {
            if (!opened.attributes().isRegularFile()) {
                throw new NotARegularFile(file);
            }
            kept = true;
            return opened;
        } finally {
            if (!kept) {
                opened.close();
            }
        }
    }

    /**
     * Creates a new file here for writing (and reading back what was written); never through a link (EEXIST when
     * the name is taken, even by a link).
     */
    NativeFile createNew(String name, int mode) throws NativeFile.NativeException {
        Path file = path.resolve(requireName(name));
        return NativeFile.adopt(call("create " + file, () -> LIBC.openat(fd, name,
                Libc.O_RDWR | Libc.O_CREAT | Libc.O_EXCL | Libc.O_NOFOLLOW | Libc.O_CLOEXEC, mode)), file);
    }

    /** Creates a new file here as a channel (what uploads write through). */
    public FileChannel createNewChannel(String name) throws IOException {
        return FileChannel.open(through(name), StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE,
                LinkOption.NOFOLLOW_LINKS);
    }

    /**
     * A path to a name in this very folder for the java.nio calls that take paths: /proc/self/fd/N is the open
     * folder itself, not whatever its old path names now.
     */
    Path through(String name) {
        return Path.of("/proc/self/fd", Integer.toString(fd), name);
    }

    /** renameat2 from a name here to a name in {@code target}; RENAME_NOREPLACE unless {@code replace}. */
    void rename(String name, ConfinedFolder target, String targetName, boolean replace)
            throws NativeFile.NativeException {
        call("rename " + path.resolve(name) + " -> " + target.path.resolve(targetName),
                () -> LIBC.renameat2(fd, name, target.fd, targetName, replace ? 0 : Libc.RENAME_NOREPLACE));
    }

    /** A second name for a file here (link(2): fails with EEXIST on a taken name). */
    void link(String name, ConfinedFolder target, String targetName) throws NativeFile.NativeException {
        call("link " + path.resolve(name) + " -> " + target.path.resolve(targetName),
                () -> LIBC.linkat(fd, name, target.fd, targetName, 0));
    }

    /** Whether a name here exists (a link counts, and is not followed); a failure other than ENOENT is thrown. */
    boolean contains(String name) throws NativeFile.NativeException {
        int found;
        try {
            found = LIBC.openat(fd, requireName(name), Libc.O_PATH | Libc.O_NOFOLLOW | Libc.O_CLOEXEC, 0);
        } catch (LastErrorException failure) {
            if (failure.getErrorCode() == Libc.ENOENT) {
                return false;
            }
            throw new NativeFile.NativeException("look up " + path.resolve(name), failure.getErrorCode());
        }
        closeQuietly(found); // it was there: a failing close of an O_PATH descriptor changes nothing
        return true;
    }

    /** Removes a name here (never a folder); true when there was one. */
    boolean remove(String name) throws NativeFile.NativeException {
        try {
            LIBC.unlinkat(fd, name, 0);
            return true;
        } catch (LastErrorException failure) {
            if (failure.getErrorCode() == Libc.ENOENT) {
                return false;
            }
            throw new NativeFile.NativeException("remove " + path.resolve(name), failure.getErrorCode());
        }
    }

    /** Makes the names here durable (fsync of the folder; an O_PATH descriptor cannot be synced itself). */
    void sync() throws NativeFile.NativeException {
        syncFolder(fd, path);
    }

    private static void syncFolder(int folder, Path path) throws NativeFile.NativeException {
        int readable = call("open " + path, () -> LIBC.openat(folder, ".", Libc.O_RDONLY | Libc.O_DIRECTORY
                | Libc.O_CLOEXEC, 0));
        try {
            call("fsync " + path, () -> LIBC.fsync(readable));
        } finally {
            closeQuietly(readable);
        }
    }

    /** Closes the descriptor once; later calls do nothing (a second close could close someone else's fd). */
    @Override
    public void close() {
        if (closed.compareAndSet(false, true)) {
            closeQuietly(fd); // nothing was written through this descriptor
        }
    }

    private static void closeQuietly(int descriptor) {
        try {
            LIBC.close(descriptor);
        } catch (LastErrorException ignored) {
            // Linux frees the descriptor even when close fails: retrying could close another one
        }
    }

    /** One name inside a folder: "." and ".." would make an *at call leave it (or stay), so they are refused. */
    private static String requireName(String name) {
        if (name.isEmpty() || name.equals(".") || name.equals("..") || name.indexOf('/') >= 0) {
            throw new IllegalArgumentException("'" + name + "' is not a single name inside a folder");
        }
        return name;
    }

    private interface Call {
        int run() throws LastErrorException;
    }

    private static int call(String operation, Call call) throws NativeFile.NativeException {
        try {
            return call.run();
        } catch (LastErrorException failure) {
            throw new NativeFile.NativeException(operation, failure.getErrorCode());
        }
    }

    /** A name that must be a regular file is a folder, a FIFO, a device or a socket. */
    public static final class NotARegularFile extends IOException {
        private final Path path;

        NotARegularFile(Path path) {
            super(path + " is not a regular file");
            this.path = path;
        }

        public Path path() {
            return path;
        }
    }

    /** A name on the way to a folder is a file or a symbolic link. */
    public static final class NotAFolder extends IOException {
        private final Path path;
        private final boolean link;

        NotAFolder(Path path, boolean link) {
            super(path + (link ? " is a symbolic link, which is never followed here" : " is a file, not a folder"));
            this.path = path;
            this.link = link;
        }

        public Path path() {
            return path;
        }

        public boolean link() {
            return link;
        }
    }
}
