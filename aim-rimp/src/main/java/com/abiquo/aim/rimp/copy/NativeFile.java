package com.abiquo.aim.rimp.copy;

import com.sun.jna.LastErrorException;
import com.sun.jna.ptr.LongByReference;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFileAttributes;
import java.util.ArrayList;
import java.util.List;

/**
 * An open file descriptor with the operations of {@link Libc} that copies use. Errors become {@link NativeException}
 * carrying errno, so callers can tell "disk full" from "not supported here".
 */
final class NativeFile implements AutoCloseable {
    private static final Libc LIBC = Libc.INSTANCE;
    private final int fd;
    private final Path path;

    private NativeFile(int fd, Path path) {
        this.fd = fd;
        this.path = path;
    }

    /**
     * Opens for reading, never through a symbolic link as the last name: the paths copied are real paths, so a link
     * there was swapped in after the path was checked (ELOOP).
     */
    static NativeFile openRead(Path path) throws NativeException {
        try {
            return new NativeFile(LIBC.open(path.toString(), Libc.O_RDONLY | Libc.O_NOFOLLOW | Libc.O_CLOEXEC, 0),
                    path);
        } catch (LastErrorException failure) {
            throw new NativeException("open " + path, failure.getErrorCode());
        }
    }

    /** Takes ownership of a descriptor opened elsewhere in this package (by {@link ConfinedFolder}). */
    static NativeFile adopt(int fd, Path path) {
        return new NativeFile(fd, path);
    }

    Path path() {
        return path;
    }

    /** What the descriptor itself is (fstat through /proc/self/fd: the open file, whatever its name names now). */
    PosixFileAttributes attributes() throws IOException {
        return Files.readAttributes(Path.of("/proc/self/fd", Integer.toString(fd)), PosixFileAttributes.class);
    }

    /** pread into the buffer's remaining space; returns the bytes read, 0 at the end of the file. */
    int read(ByteBuffer buffer, long offset) throws NativeException {
        while (true) {
            try {
                int count = (int) LIBC.pread(fd, buffer.slice(), buffer.remaining(), offset);
                buffer.position(buffer.position() + count);
                return count;
            } catch (LastErrorException failure) {
                if (failure.getErrorCode() != Libc.EINTR) {
                    throw new NativeException("read " + path, failure.getErrorCode());
                }
            }
        }
    }

    long size() throws NativeException {
        try {
            return LIBC.lseek(fd, 0, Libc.SEEK_END);
        } catch (LastErrorException failure) {
            throw new NativeException("lseek " + path, failure.getErrorCode());
        }
    }

    /**
     * The data extents of the file, in order, as (offset, length) pairs. File systems without SEEK_DATA support
     * (or that report the whole file as data) give one extent: correct, just not sparse.
     */
    List<Extent> dataExtents(long size) throws NativeException {
        List<Extent> extents = new ArrayList<>();
        long position = 0;
        while (position < size) {
            long data;
            try {
                data = LIBC.lseek(fd, position, Libc.SEEK_DATA);
            } catch (LastErrorException failure) {
                if (failure.getErrorCode() == Libc.ENXIO) {
                    break; // only a hole up to the end
                }
                if (failure.getErrorCode() == Libc.EINVAL && position == 0) {
                    extents.add(new Extent(0, size)); // no SEEK_DATA on this file system
                    return extents;
                }
                throw new NativeException("lseek SEEK_DATA " + path, failure.getErrorCode());
            }
            long hole;
            try {
                hole = LIBC.lseek(fd, data, Libc.SEEK_HOLE);
            } catch (LastErrorException failure) {
                throw new NativeException("lseek SEEK_HOLE " + path, failure.getErrorCode());
            }
            long end = Math.min(hole, size);
            if (end > data) {
                extents.add(new Extent(data, end - data));
            }
            position = end;
        }
        return extents;
    }

    /** Clones the whole source into this (empty) file; throws with errno EXDEV/EOPNOTSUPP/EINVAL where impossible. */
    void cloneFrom(NativeFile source) throws NativeException {
        try {
            LIBC.ioctl(fd, Libc.FICLONE, source.fd);
        } catch (LastErrorException failure) {
            throw new NativeException("ioctl FICLONE " + source.path + " -> " + path, failure.getErrorCode());
        }
    }

    /** Tells the kernel the file is read from start to end: a larger read-ahead, as cp asks. Best effort. */
    void adviseSequential() {
        LIBC.posix_fadvise(fd, 0, 0, Libc.POSIX_FADV_SEQUENTIAL);
    }

    /** Starts reading a range into the page cache in the background. Best effort. */
    void prefetch(long offset, long length) {
        LIBC.posix_fadvise(fd, offset, length, Libc.POSIX_FADV_WILLNEED);
    }

    /**
     * Starts writing a range to disk now, without waiting: the final fsync then has less left to wait for. Best
     * effort: starting writeback does not consume a writeback error, so the final fsync still reports it.
     */
    void startWriteback(long offset, long length) {
        try {
            LIBC.sync_file_range(fd, offset, length, Libc.SYNC_FILE_RANGE_WRITE);
        } catch (LastErrorException ignored) {
            // see above: the fsync decides
        }
    }

    /**
     * Waits until a range whose writeback was started is on disk (starting it first if needed). Its error must not
     * be ignored: the wait consumes the file's writeback error (Linux 4.14 and later), so the final fsync would
     * succeed on a copy that lost data.
     */
    void awaitWriteback(long offset, long length) throws NativeException {
        try {
            LIBC.sync_file_range(fd, offset, length, Libc.SYNC_FILE_RANGE_WAIT_BEFORE
                    | Libc.SYNC_FILE_RANGE_WRITE | Libc.SYNC_FILE_RANGE_WAIT_AFTER);
        } catch (LastErrorException failure) {
            throw new NativeException("sync_file_range " + path, failure.getErrorCode());
        }
    }

    void truncate(long length) throws NativeException {
        try {
            LIBC.ftruncate(fd, length);
        } catch (LastErrorException failure) {
            throw new NativeException("ftruncate " + path, failure.getErrorCode());
        }
    }

    /** copy_file_range at the same offset in both files; returns the bytes copied (0 at end of source). */
    long copyRangeFrom(NativeFile source, long offset, long length) throws NativeException {
        LongByReference in = new LongByReference(offset);
        LongByReference out = new LongByReference(offset);
        while (true) {
            try {
                return LIBC.copy_file_range(source.fd, in, fd, out, length, 0);
            } catch (LastErrorException failure) {
                if (failure.getErrorCode() != Libc.EINTR) {
                    throw new NativeException("copy_file_range " + source.path + " -> " + path,
                            failure.getErrorCode());
                }
            }
        }
    }

    /** sendfile from the source's offset to the same offset here; returns the bytes copied. */
    long sendFrom(NativeFile source, long offset, long length) throws NativeException {
        try {
            LIBC.lseek(fd, offset, Libc.SEEK_SET);
        } catch (LastErrorException failure) {
            throw new NativeException("lseek " + path, failure.getErrorCode());
        }
        LongByReference in = new LongByReference(offset);
        while (true) {
            try {
                return LIBC.sendfile(fd, source.fd, in, length);
            } catch (LastErrorException failure) {
                if (failure.getErrorCode() != Libc.EINTR) {
                    throw new NativeException("sendfile " + source.path + " -> " + path, failure.getErrorCode());
                }
            }
        }
    }

    void sync() throws NativeException {
        try {
            LIBC.fsync(fd);
        } catch (LastErrorException failure) {
            throw new NativeException("fsync " + path, failure.getErrorCode());
        }
    }

    @Override
    public void close() {
        try {
            LIBC.close(fd);
        } catch (LastErrorException ignored) {
            // a failed close of a file we already fsynced (or are abandoning) changes nothing
        }
    }

    /**
     * Renames without ever replacing an existing target (renameat2 RENAME_NOREPLACE).
     *
     * @throws NativeException EEXIST when the target exists; EINVAL when the file system cannot do it
     */
    static void renameNoReplace(Path from, Path to) throws NativeException {
        try {
            LIBC.renameat2(Libc.AT_FDCWD, from.toString(), Libc.AT_FDCWD, to.toString(), Libc.RENAME_NOREPLACE);
        } catch (LastErrorException failure) {
            throw new NativeException("rename " + from + " -> " + to, failure.getErrorCode());
        }
    }

    /** A run of data in a sparse file. */
    record Extent(long offset, long length) {
    }

    /** A failed system call with its errno. */
    static final class NativeException extends IOException {
        private final int errno;

        NativeException(String operation, int errno) {
            super(operation + ": " + describe(errno));
            this.errno = errno;
        }

        int errno() {
            return errno;
        }

        boolean noSpace() {
            return errno == Libc.ENOSPC || errno == Libc.EDQUOT || errno == Libc.EFBIG;
        }

        /** The call cannot do this here (other file system, no support): a slower way will. */
        boolean unsupported() {
            return errno == Libc.EXDEV || errno == Libc.EOPNOTSUPP || errno == Libc.EINVAL
                    || errno == Libc.ENOSYS || errno == Libc.ENOTTY || errno == Libc.EPERM;
        }

        private static String describe(int errno) {
            return switch (errno) {
                case Libc.ENOSPC -> "no space left on device";
                case Libc.EDQUOT -> "disk quota exceeded";
                case Libc.EFBIG -> "file too large";
                case Libc.EXDEV -> "not on the same file system";
                case Libc.EOPNOTSUPP -> "not supported by the file system";
                case Libc.EEXIST -> "file exists";
                case Libc.ENOENT -> "no such file or directory";
                case Libc.EIO -> "input/output error";
                case Libc.EINVAL -> "invalid argument";
                case Libc.EROFS -> "read-only file system";
                case Libc.EACCES, Libc.EPERM -> "permission denied";
                case Libc.ENAMETOOLONG -> "file name too long";
                case Libc.ELOOP -> "a symbolic link, which is never followed here";
                case Libc.ENOTDIR -> "not a folder";
                case Libc.EISDIR -> "a folder, not a file";
                case Libc.ESTALE -> "stale file handle (removed on the server)";
                default -> "errno " + errno;
            };
        }
    }
}
