package com.abiquo.aim.rimp.copy;

import static java.util.Objects.requireNonNull;

import com.abiquo.aim.core.error.AimException;
import com.abiquo.aim.rimp.RimpErrorReason;
import io.grpc.Status;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.Logger;

/**
 * Copies one image file safely and fast. Safely: the bytes go to a temporary in the destination folder, which is
 * fsynced and then renamed into place (never replacing an existing file unless asked), and any failure or
 * cancellation removes the temporary. Fast: a clone (FICLONE) where the file system can share extents; otherwise
 * only the data extents (SEEK_DATA/SEEK_HOLE) are copied inside the kernel (copy_file_range, or sendfile) and the
 * holes stay holes.
 */
public final class ImageCopier {
    private static final Logger LOG = LogManager.getLogger(ImageCopier.class);
    /**
     * Bytes per system call, and the unit of progress, cancellation and writeback: large enough that the calls cost
     * nothing, small enough that the disk starts writing soon after the copy starts (see docs/rimp.md, Speed).
     */
    static final long CHUNK = 16L << 20;
    /** The source is read ahead this many chunks (64 MiB) beyond the one being copied, across data extents. */
    static final int READ_AHEAD_CHUNKS = 4;
    /**
     * At most this many chunks (256 MiB) of the copy are dirty or under writeback at once: older ones are waited
     * for. It bounds the page cache one copy fills (eight parallel deploys must not starve the VMs of memory or
     * trip the kernel's dirty throttling) and what is left for the final fsync.
     */
    static final int WRITEBACK_WINDOW_CHUNKS = 16;
    /** What is read of a .sha256 sidecar: the digest and a name, well within. */
    private static final int SIDECAR_BYTES = 8192;

    private final Temporaries temporaries;
    private final long chunk;
    private final boolean checkSpaceFirst;
    private final CopyMetrics metrics = new CopyMetrics();
    private final boolean writebackEarly = !Boolean.getBoolean("aim.rimp.noEarlyWriteback"); // for measurements

    public ImageCopier(Temporaries temporaries) {
        this(temporaries, CHUNK, true);
    }

    /** For tests: smaller chunks make progress and cancellation points deterministic on small files. */
    ImageCopier(Temporaries temporaries, long chunk) {
        this(temporaries, chunk, true);
    }

    /** For tests: without the space check first, a disk that fills up mid-copy is easy to make. */
    ImageCopier(Temporaries temporaries, long chunk, boolean checkSpaceFirst) {
        this.temporaries = requireNonNull(temporaries, "temporaries is null");
        this.chunk = chunk;
        this.checkSpaceFirst = checkSpaceFirst;
    }

    /** Options of one copy. */
    public record Options(boolean replace, boolean verifySha256, boolean allowReflink) {
        public static Options noReplace(boolean verify) {
            return new Options(false, verify, true);
        }
    }

    /**
     * Copies source (a regular file) to destination, whose folder must exist.
     *
     * @throws AimException NOT_FOUND (no source), ALREADY_EXISTS (destination exists and !replace),
     *     RESOURCE_EXHAUSTED (not enough space, or disk full), DATA_LOSS (checksum mismatch), the cancel reason
     */
    public CopyOutcome copy(Path source, Path destination, Options options, CopyControl control) throws AimException {
        metrics.started();
        try {
            CopyOutcome outcome = copyUnmetered(source, destination, options, control);
            metrics.finished(outcome);
            return outcome;
        } catch (AimException | RuntimeException failure) {
            metrics.failed();
            throw failure;
        }
    }

    /** This copier's families for /metrics. */
    public CopyMetrics metrics() {
        return metrics;
    }

    private CopyOutcome copyUnmetered(Path source, Path destination, Options options, CopyControl control)
            throws AimException {
        long started = System.nanoTime();
        // the source and its folder are opened once, without following links, and read only through them: a
        // folder swapped for a link after the request's checks cannot make this copy read outside the roots
        try (ConfinedFolder sourceFolder = openFolder("cannot read " + source, source);
             NativeFile in = openSource(sourceFolder, source)) {
            if (!options.replace() && Files.exists(destination, LinkOption.NOFOLLOW_LINKS)) {
                throw Publisher.exists(destination); // early: no point copying for nothing
            }
            return copyFrom(in, sourceFolder, source, destination, options, control, started);
        }
    }

    private static NativeFile openSource(ConfinedFolder sourceFolder, Path source) throws AimException {
        try {
            return sourceFolder.openRegular(source.getFileName().toString());
        } catch (NativeFile.NativeException failure) {
            if (failure.errno() == Libc.ENOENT) {
                throw new AimException(Status.Code.NOT_FOUND, RimpErrorReason.PATH_NOT_FOUND,
                        source + " does not exist", Map.of("path", source.toString()), null);
            }
            throw IoFailures.map("cannot read " + source, failure);
        } catch (IOException failure) {
            throw IoFailures.map("cannot read " + source, failure);
        }
    }

    private CopyOutcome copyFrom(NativeFile in, ConfinedFolder sourceFolder, Path source, Path destination,
                                 Options options, CopyControl control, long started) throws AimException {
        try (ConfinedFolder folder = openFolder("cannot open the folder of " + destination, destination)) {
            Path temporary = temporaries.allocate(destination);
            try {
                CopyOutcome copied = copyToTemporary(in, sourceFolder, source, folder, temporary, destination,
                        options, control, started);
                control.checkCancelled();
                Publisher.publish(folder, temporary, destination, options.replace());
                temporaries.release(temporary);
                CopyOutcome outcome = new CopyOutcome(copied.path(), copied.method(), copied.sizeBytes(),
                        copied.copiedBytes(), copied.allocatedBytes(), Duration.ofNanos(System.nanoTime() - started),
                        copied.sha256(), copied.sha256ComparedWith());
                LOG.info("Copied {} -> {} ({}, {} data bytes of {}, {} ms)", source, destination, outcome.method(),
                        outcome.copiedBytes(), outcome.sizeBytes(), outcome.duration().toMillis());
                return outcome;
            } catch (AimException | RuntimeException failure) {
                temporaries.discard(folder, temporary);
                throw failure;
            } catch (IOException failure) {
                temporaries.discard(folder, temporary);
                throw IoFailures.map("cannot copy " + source + " to " + destination, failure);
            }
        }
    }

    /**
     * A file's folder, open for the whole copy: the source is read there; the temporary is made, renamed and
     * removed there.
     */
    private static ConfinedFolder openFolder(String what, Path file) throws AimException {
        try {
            return ConfinedFolder.open(file.getParent(), false);
        } catch (IOException failure) {
            throw IoFailures.map(what, failure);
        }
    }

    private CopyOutcome copyToTemporary(NativeFile in, ConfinedFolder sourceFolder, Path source,
                                        ConfinedFolder folder, Path temporary, Path destination, Options options,
                                        CopyControl control, long started)
            throws AimException, IOException {
        CopyMethod method;
        long size;
        long copied = 0;
        long allocated;
        String sha = "";
        String comparedWith = "";
        try (NativeFile out = folder.createNew(temporary.getFileName().toString(), modeOf(in))) {
            size = in.size();
            List<NativeFile.Extent> extents = in.dataExtents(size);
            long data = extents.stream().mapToLong(NativeFile.Extent::length).sum();
            if (options.allowReflink() && tryClone(in, out)) {
                method = CopyMethod.REFLINK;
                control.progress(data, data, 0);
            } else {
                if (checkSpaceFirst) {
                    checkSpace(destination, data);
                }
                in.adviseSequential();
                out.truncate(size);
                method = CopyMethod.SPARSE_COPY;
                List<NativeFile.Extent> pieces = chunks(extents);
                int prefetched = 0; // pieces handed to read-ahead
                long readAhead = 0; // bytes read ahead and not copied yet
                int awaited = 0; // pieces whose writeback finished
                long inWriteback = 0; // bytes started and not awaited
                for (int i = 0; i < pieces.size(); i++) {
                    // keep READ_AHEAD_CHUNKS beyond this piece in flight while it is copied: a cold, sparse
                    // source otherwise waits for a fresh read-ahead at each data extent (measured 3x slower)
                    while (prefetched < pieces.size()
                            && (prefetched <= i || readAhead < (READ_AHEAD_CHUNKS + 1) * chunk)) {
                        in.prefetch(pieces.get(prefetched).offset(), pieces.get(prefetched).length());
                        readAhead += pieces.get(prefetched).length();
                        prefetched++;
                    }
                    long offset = pieces.get(i).offset();
                    long end = offset + pieces.get(i).length();
                    while (offset < end) {
                        control.checkCancelled();
                        long done;
                        if (method == CopyMethod.SPARSE_COPY) {
                            try {
                                done = out.copyRangeFrom(in, offset, end - offset);
                            } catch (NativeFile.NativeException failure) {
                                if (!failure.unsupported() || copied > 0) {
                                    throw failure;
                                }
                                LOG.debug("copy_file_range refused ({}); using sendfile", failure.getMessage());
                                method = CopyMethod.SENDFILE_COPY;
                                continue;
                            }
                        } else {
                            done = out.sendFrom(in, offset, end - offset);
                        }
                        if (done <= 0) {
                            throw new AimException(Status.Code.ABORTED, RimpErrorReason.SOURCE_CHANGED, source
                                    + " became shorter while it was copied", Map.of("path", source.toString()), null);
                        }
                        offset += done;
                        copied += done;
                        control.progress(copied, data, rate(copied, started));
                    }
                    readAhead -= pieces.get(i).length();
                    if (writebackEarly) {
                        // the disk writes this piece while the next ones are copied, instead of all at the fsync
                        out.startWriteback(pieces.get(i).offset(), pieces.get(i).length());
                        inWriteback += pieces.get(i).length();
                        while (inWriteback > WRITEBACK_WINDOW_CHUNKS * chunk) {
                            NativeFile.Extent oldest = pieces.get(awaited++);
                            out.awaitWriteback(oldest.offset(), oldest.length());
                            inWriteback -= oldest.length();
                        }
                    }
                }
            }
            control.checkCancelled();
            long syncStarted = System.nanoTime();
            out.sync();
            // with early writeback this is a few ms: what it shows is how much the disk still had to write
            LOG.debug("{}: {} bytes copied in {} ms, final fsync {} ms", destination, copied,
                    (syncStarted - started) / 1_000_000, (System.nanoTime() - syncStarted) / 1_000_000);
            allocated = method == CopyMethod.REFLINK ? data : copied;
            if (options.verifySha256()) {
                // both read through their descriptors: the file written, and the source that was copied
                sha = sha256(out, control);
                try (NativeFile sidecar = openSidecar(sourceFolder, source)) {
                    String expected;
                    if (sidecar != null) {
                        expected = readSidecar(sidecar);
                        comparedWith = "sidecar";
                    } else {
                        expected = sha256(in, control);
                        comparedWith = "source";
                    }
                    if (!expected.equals(sha)) {
                        throw new AimException(Status.Code.DATA_LOSS, RimpErrorReason.CHECKSUM_MISMATCH, "the copy of "
                                + source + " has SHA-256 " + sha + " but the " + comparedWith + " says " + expected
                                + "; nothing was written to " + destination, Map.of("path", destination.toString()),
                                null);
                    }
                }
            }
        }
        return new CopyOutcome(destination, method, size, method == CopyMethod.REFLINK ? 0 : copied, allocated,
                Duration.ofNanos(System.nanoTime() - started), sha, comparedWith);
    }

    /** The data extents cut into pieces of at most one chunk: the unit of progress, cancellation and writeback. */
    private List<NativeFile.Extent> chunks(List<NativeFile.Extent> extents) {
        List<NativeFile.Extent> pieces = new java.util.ArrayList<>();
        for (NativeFile.Extent extent : extents) {
            for (long offset = extent.offset(); offset < extent.offset() + extent.length(); offset += chunk) {
                pieces.add(new NativeFile.Extent(offset, Math.min(chunk, extent.offset() + extent.length() - offset)));
            }
        }
        return pieces;
    }

    private static boolean tryClone(NativeFile in, NativeFile out) throws NativeFile.NativeException {
        try {
            out.cloneFrom(in);
            return true;
        } catch (NativeFile.NativeException failure) {
            if (failure.unsupported()) {
                return false;
            }
            throw failure;
        }
    }

    /** Refuses a copy that cannot fit: what counts is the data the copy allocates, not the apparent size. */
    public static void checkSpace(Path destination, long needed) throws AimException, IOException {
        long usable = Files.getFileStore(destination.getParent()).getUsableSpace();
        if (needed > usable) {
            throw IoFailures.noSpace("not enough space for " + destination + ": the copy needs " + needed
                    + " bytes and the file system has " + usable + " usable");
        }
    }

    /** The bytes of data extents of a file (what a sparse-aware copy allocates). */
    public static long allocatedBytes(Path file) throws IOException {
        try (NativeFile in = NativeFile.openRead(file)) {
            return in.dataExtents(in.size()).stream().mapToLong(NativeFile.Extent::length).sum();
        }
    }

    private static long rate(long bytes, long startedNanos) {
        long nanos = Math.max(1, System.nanoTime() - startedNanos);
        return (long) (bytes / (nanos / 1e9));
    }

    /** The source's sidecar (name.sha256) opened in the source's folder; null when there is no regular one. */
    private static NativeFile openSidecar(ConfinedFolder sourceFolder, Path source) throws IOException {
        try {
            return sourceFolder.openRegular(source.getFileName() + ".sha256");
        } catch (ConfinedFolder.NotARegularFile notAFile) {
            return null;
        } catch (NativeFile.NativeException failure) {
            if (failure.errno() == Libc.ENOENT || failure.errno() == Libc.ELOOP) {
                return null; // a link is never followed: the source itself is hashed instead
            }
            throw failure;
        }
    }

    private static int modeOf(NativeFile source) {
        try {
            Set<PosixFilePermission> permissions = source.attributes().permissions();
            int mode = 0;
            for (PosixFilePermission permission : permissions) {
                mode |= 1 << (8 - permission.ordinal());
            }
            return mode;
        } catch (IOException | UnsupportedOperationException unknown) {
            return 0644;
        }
    }

    public static MessageDigest newDigest() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException impossible) {
            throw new IllegalStateException(impossible);
        }
    }

    /** SHA-256 of a whole open file, read from offset 0 whatever its position; stops when cancelled meanwhile. */
    static String sha256(NativeFile file, CopyControl control) throws IOException, AimException {
        MessageDigest digest = newDigest();
        ByteBuffer buffer = ByteBuffer.allocateDirect(1 << 20);
        long read = 0;
        int count;
        while ((count = file.read(buffer, read)) > 0) {
            buffer.flip();
            digest.update(buffer);
            buffer.clear();
            read += count;
            if ((read & ((64L << 20) - 1)) < count) {
                control.checkCancelled();
            }
        }
        return HexFormat.of().formatHex(digest.digest());
    }

    /** `sha256sum` output ("hex  name") or a bare hex digest; only its start is read (a digest, a name). */
    static String readSidecar(NativeFile sidecar) throws IOException, AimException {
        ByteBuffer start = ByteBuffer.allocate(SIDECAR_BYTES);
        while (start.hasRemaining() && sidecar.read(start, start.position()) > 0) {
            // pread until full or at the end
        }
        start.flip();
        String text = StandardCharsets.UTF_8.decode(start).toString().strip();
        String first = text.isEmpty() ? "" : text.split("\\s+")[0].toLowerCase(Locale.ROOT);
        if (!first.matches("[0-9a-f]{64}")) {
            throw new AimException(Status.Code.FAILED_PRECONDITION, RimpErrorReason.BAD_CHECKSUM_FILE, sidecar
                    .path() + " does not start with a SHA-256 in hex", Map.of("path", sidecar.path().toString()), null);
        }
        return first;
    }
}
