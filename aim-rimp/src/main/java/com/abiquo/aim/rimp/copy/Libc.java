package com.abiquo.aim.rimp.copy;

import com.sun.jna.LastErrorException;
import com.sun.jna.Library;
import com.sun.jna.Native;
import com.sun.jna.ptr.LongByReference;
import java.nio.ByteBuffer;

/**
 * The few Linux system calls a fast, safe copy needs and Java does not offer: finding data and holes
 * (lseek SEEK_DATA/SEEK_HOLE), cloning (ioctl FICLONE), in-kernel copies (copy_file_range, sendfile) and a rename
 * that refuses to replace (renameat2 RENAME_NOREPLACE), and the *at calls that work inside an open folder
 * ({@link ConfinedFolder}). Every call throws {@link LastErrorException} (with errno) when it returns -1. Sizes are
 * 64-bit: Linux x86_64 and aarch64 only; the flag values below are the same on both except O_DIRECTORY and
 * O_NOFOLLOW, which arm64 numbers differently.
 */
interface Libc extends Library {
    Libc INSTANCE = Native.load("c", Libc.class);

    int O_RDONLY = 0;
    int O_WRONLY = 1;
    int O_RDWR = 2;
    int O_NONBLOCK = 04000;
    int O_CREAT = 0100;
    int O_EXCL = 0200;
    boolean ARM64 = arm64(System.getProperty("os.arch"));
    int O_DIRECTORY = ARM64 ? 040000 : 0200000;
    int O_NOFOLLOW = ARM64 ? 0100000 : 0400000;
    int O_CLOEXEC = 02000000;
    int O_PATH = 010000000;

    int SEEK_SET = 0;
    int SEEK_END = 2;
    int SEEK_DATA = 3;
    int SEEK_HOLE = 4;

    long FICLONE = 0x40049409L;
    int AT_FDCWD = -100;
    int RENAME_NOREPLACE = 1;

    int EPERM = 1;
    int ENOTDIR = 20;
    int ENOENT = 2;
    int EINTR = 4;
    int EIO = 5;
    int ENXIO = 6;
    int EACCES = 13;
    int EXDEV = 18;
    int EINVAL = 22;
    int ENOTTY = 25;
    int EFBIG = 27;
    int ENOSPC = 28;
    int ESPIPE = 29;
    int EROFS = 30;
    int ENAMETOOLONG = 36;
    int ENOSYS = 38;
    int ELOOP = 40;
    int EOPNOTSUPP = 95;
    int EDQUOT = 122;
    int EEXIST = 17;
    int EISDIR = 21;
    int ESTALE = 116;

    int POSIX_FADV_SEQUENTIAL = 2;
    int POSIX_FADV_WILLNEED = 3;

    int open(String path, int flags, int mode) throws LastErrorException;

    int openat(int directory, String path, int flags, int mode) throws LastErrorException;

    int mkdirat(int directory, String path, int mode) throws LastErrorException;

    int unlinkat(int directory, String path, int flags) throws LastErrorException;

    int linkat(int oldDirectory, String oldPath, int newDirectory, String newPath, int flags)
            throws LastErrorException;

    int SYNC_FILE_RANGE_WAIT_BEFORE = 1;
    int SYNC_FILE_RANGE_WRITE = 2;
    int SYNC_FILE_RANGE_WAIT_AFTER = 4;

    /**
     * Starts writeback of a range (WRITE), or waits for it (WAIT_BEFORE, WAIT_AFTER). A wait reports a writeback
     * error (EIO, ENOSPC) and, since Linux 4.14, consumes it: a later fsync of the same file no longer sees it.
     */
    int sync_file_range(int fd, long offset, long length, int flags) throws LastErrorException;

    /** Returns an error number instead of setting errno. */
    int posix_fadvise(int fd, long offset, long length, int advice);

    int close(int fd) throws LastErrorException;

    long pread(int fd, ByteBuffer buffer, long count, long offset) throws LastErrorException;

    long lseek(int fd, long offset, int whence) throws LastErrorException;

    int ftruncate(int fd, long length) throws LastErrorException;

    int fsync(int fd) throws LastErrorException;

    int ioctl(int fd, long request, int argument) throws LastErrorException;

    long copy_file_range(int fdIn, LongByReference offsetIn, int fdOut, LongByReference offsetOut, long length,
                         int flags) throws LastErrorException;

    long sendfile(int fdOut, int fdIn, LongByReference offset, long count) throws LastErrorException;

    int renameat2(int oldDirectory, String oldPath, int newDirectory, String newPath, int flags)
            throws LastErrorException;

    /**
     * Whether the flags below take their arm64 values; any architecture other than x86_64 and aarch64 fails the
     * class load: ppc64le, for one, numbers O_NOFOLLOW differently, and a wrong value would silently follow links.
     */
    static boolean arm64(String arch) {
        return switch (String.valueOf(arch)) {
            case "amd64", "x86_64" -> false;
            case "aarch64" -> true;
            default -> throw new UnsupportedOperationException("aim-rimp's system calls know the flag values of "
                    + "x86_64 and aarch64 only, not of " + arch);
        };
    }
}
