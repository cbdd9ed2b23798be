package com.abiquo.aim.rimp.image;

import static java.util.Objects.requireNonNull;

import com.abiquo.aim.core.error.AimException;
import com.abiquo.aim.rimp.RimpErrorReason;
import com.abiquo.aim.rimp.copy.ConfinedFolder;
import com.abiquo.aim.rimp.copy.DestinationLocks;
import com.abiquo.aim.rimp.copy.ImageCopier;
import com.abiquo.aim.rimp.copy.IoFailures;
import com.abiquo.aim.rimp.copy.Publisher;
import com.abiquo.aim.rimp.copy.Temporaries;
import io.grpc.Status;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.Locale;
import java.util.Map;

/**
 * Files written from a client stream (the original's {@code upload}): same confinement, temporary, fsync and
 * no-replace rename as copies, a size limit, and the announced size and optional SHA-256 enforced.
 */
public final class Uploads {
    private final Roots roots;
    private final Temporaries temporaries;
    private final DestinationLocks locks;
    private final long maxBytes;

    public Uploads(Roots roots, Temporaries temporaries, DestinationLocks locks, long maxBytes) {
        this.roots = requireNonNull(roots, "roots is null");
        this.temporaries = requireNonNull(temporaries, "temporaries is null");
        this.locks = requireNonNull(locks, "locks is null");
        this.maxBytes = maxBytes;
    }

    /** The result of a finished upload. */
    public record Uploaded(Path path, long sizeBytes, String sha256) {
    }

    /** Checks the header, takes the destination and opens its temporary. */
    public Upload begin(String path, long sizeBytes, String sha256) throws AimException {
        if (sizeBytes < 0 || sizeBytes > maxBytes) {
            throw new AimException(Status.Code.RESOURCE_EXHAUSTED, RimpErrorReason.UPLOAD_TOO_LARGE, "size_bytes "
                    + Long.toUnsignedString(sizeBytes) + " is above the limit of " + maxBytes
                    + " bytes ([rimp] uploadMaxBytes)", Map.of("limit", Long.toString(maxBytes)), null);
        }
        String expected = sha256 == null ? "" : sha256.strip().toLowerCase(Locale.ROOT);
        if (!expected.isEmpty() && !expected.matches("[0-9a-f]{64}")) {
            throw AimException.invalidArgument(RimpErrorReason.INVALID_SHA256, "sha256 \"" + sha256
                    + "\" is not 64 hexadecimal digits");
        }
        Path destination = roots.managedFile(path, "path");
        DestinationLocks.Held held = locks.acquire(destination);
        ConfinedFolder folder = null;
        Path temporary = null;
        try {
            if (Files.exists(destination, LinkOption.NOFOLLOW_LINKS)) {
                throw Publisher.exists(destination);
            }
            // open for the whole upload: the temporary is made, renamed and removed in this folder
            folder = ImageOperations.createFolders(destination.getParent(), "path");
            ImageCopier.checkSpace(destination, sizeBytes);
            temporary = temporaries.allocate(destination);
            FileChannel channel = folder.createNewChannel(temporary.getFileName().toString());
            return new Upload(destination, folder, temporary, channel, sizeBytes, expected, held);
        } catch (IOException failure) {
            abandon(held, folder, temporary);
            throw IoFailures.map("cannot start the upload of " + destination, failure);
        } catch (AimException | RuntimeException failure) {
            abandon(held, folder, temporary);
            throw failure;
        }
    }

    private void abandon(DestinationLocks.Held held, ConfinedFolder folder, Path temporary) {
        if (folder != null) {
            if (temporary != null) {
                temporaries.discard(folder, temporary);
            }
            folder.close();
        }
        held.close();
    }

    /** One upload under way. Not thread-safe apart from {@link #abort}, which may come from another thread. */
    public final class Upload {
        private final Path destination;
        private final ConfinedFolder folder;
        private final Path temporary;
        private final FileChannel channel;
        private final long expectedBytes;
        private final String expectedSha256;
        private final DestinationLocks.Held held;
        private final MessageDigest digest = ImageCopier.newDigest();
        private long received;
        private boolean closed;

        private Upload(Path destination, ConfinedFolder folder, Path temporary, FileChannel channel,
                       long expectedBytes, String expectedSha256, DestinationLocks.Held held) {
            this.destination = destination;
            this.folder = folder;
            this.temporary = temporary;
            this.channel = channel;
            this.expectedBytes = expectedBytes;
            this.expectedSha256 = expectedSha256;
            this.held = held;
        }

        public Path destination() {
            return destination;
        }

        /** Appends the next bytes; all-zero chunks are skipped so that zeros stay holes. */
        public synchronized void write(ByteBuffer chunk) throws AimException {
            if (closed) {
                throw new AimException(Status.Code.ABORTED, RimpErrorReason.UPLOAD_ABORTED,
                        "the upload of " + destination
                        + " was stopped", Map.of(), null);
            }
            int length = chunk.remaining();
            if (received + length > expectedBytes) {
                abortQuietly();
                throw AimException.invalidArgument(RimpErrorReason.UPLOAD_SIZE_MISMATCH, "more bytes arrived than the "
                        + expectedBytes + " announced in size_bytes; nothing was written to " + destination);
            }
            digest.update(chunk.duplicate());
            try {
                if (!allZero(chunk)) {
                    long position = received;
                    while (chunk.hasRemaining()) {
                        position += channel.write(chunk, position);
                    }
                }
            } catch (IOException failure) {
                abortQuietly();
                throw IoFailures.map("cannot write the upload of " + destination, failure);
            }
            received += length;
        }

        /** Checks size and checksum, fsyncs and puts the file in place (never replacing one). */
        public synchronized Uploaded finish() throws AimException {
            try {
                if (received != expectedBytes) {
                    throw AimException.invalidArgument(RimpErrorReason.UPLOAD_SIZE_MISMATCH,
                            "the stream ended after " + received
                            + " of the " + expectedBytes + " bytes announced; nothing was written to "
                            + destination);
                }
                String sha = HexFormat.of().formatHex(digest.digest());
                if (!expectedSha256.isEmpty() && !expectedSha256.equals(sha)) {
                    throw new AimException(Status.Code.DATA_LOSS, RimpErrorReason.CHECKSUM_MISMATCH,
                            "the received bytes have "
                            + "SHA-256 " + sha + " but the header says " + expectedSha256
                            + "; nothing was written to " + destination, Map.of(), null);
                }
                if (channel.size() < expectedBytes) {
                    channel.write(ByteBuffer.allocate(1), expectedBytes - 1); // a trailing hole needs a length
                    // that byte was zero in the stream (an all-zero chunk), so the content is unchanged
                }
                channel.force(true);
                channel.close();
                Publisher.publish(folder, temporary, destination, false);
                temporaries.release(temporary);
                closed = true;
                folder.close();
                held.close();
                return new Uploaded(destination, received, sha);
            } catch (IOException failure) {
                abortQuietly();
                throw IoFailures.map("cannot finish the upload of " + destination, failure);
            } catch (AimException | RuntimeException failure) {
                abortQuietly();
                throw failure;
            }
        }

        /** Stops the upload and removes its temporary; nothing appears under the final name. */
        public synchronized void abort() {
            abortQuietly();
        }

        private void abortQuietly() {
            if (closed) {
                return;
            }
            closed = true;
            try {
                channel.close();
            } catch (IOException ignored) {
                // the temporary goes away anyway
            }
            temporaries.discard(folder, temporary);
            folder.close();
            held.close();
        }
    }

    private static boolean allZero(ByteBuffer chunk) {
        for (int i = chunk.position(); i < chunk.limit(); i++) {
            if (chunk.get(i) != 0) {
                return false;
            }
        }
        return true;
    }
}
