package com.abiquo.aim.core.iscsi;

import com.abiquo.aim.core.error.CoreErrorReason;
import static java.util.Objects.requireNonNull;

import com.abiquo.aim.core.error.AimException;
import com.abiquo.aim.core.error.ErrorReason;
import com.abiquo.aim.core.error.FileErrors;
import io.grpc.Status;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CoderResult;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The node's initiator name, from open-iscsi's {@code initiatorname.iscsi} ({@code InitiatorName=iqn....}). Read on
 * every call: an operator may change it, and the answer must never be a stale or empty string.
 */
public final class InitiatorName {
    private static final String KEY = "InitiatorName=";
    private final Path file;

    public InitiatorName(Path file) {
        this.file = requireNonNull(file, "file is null");
    }

    public Path file() {
        return file;
    }

    /** @throws AimException FAILED_PRECONDITION naming the file and what is wrong with it */
    public String read() throws AimException {
        List<String> lines;
        try {
            // one char per byte, so a comment in any encoding reads; the value itself must be UTF-8 (below)
            lines = Files.readAllLines(file, StandardCharsets.ISO_8859_1);
        } catch (NoSuchFileException missing) {
            throw problem(CoreErrorReason.INITIATOR_NAME_FILE_MISSING,
                    "does not exist (install open-iscsi, or set [storage]"
                    + " initiatorNameFile)");
        } catch (IOException failure) {
            throw problem(CoreErrorReason.INITIATOR_NAME_FILE_UNREADABLE, "cannot be read: "
                    + FileErrors.reason(failure));
        }
        Optional<String> name = parse(lines);
        if (name.isEmpty()) {
            throw problem(CoreErrorReason.INITIATOR_NAME_MISSING, "has no \"InitiatorName=\" line");
        }
        String value = utf8(name.get().getBytes(StandardCharsets.ISO_8859_1));
        Optional<String> invalid = Iqn.problem(value);
        if (invalid.isPresent()) {
            throw problem(CoreErrorReason.INITIATOR_NAME_INVALID,
                    "holds InitiatorName \"" + Iqn.printable(value)
                    + "\", which is not a valid iSCSI name: it " + invalid.get());
        }
        return value;
    }

    /** The value's bytes as UTF-8 (iSCSI names are UTF-8, RFC 3720 3.2.6.2), refused naming the first bad byte. */
    private String utf8(byte[] value) throws AimException {
        CharsetDecoder decoder = StandardCharsets.UTF_8.newDecoder();
        ByteBuffer bytes = ByteBuffer.wrap(value);
        CoderResult result = decoder.decode(bytes, CharBuffer.allocate(value.length), true);
        if (result.isError()) {
            throw problem(CoreErrorReason.INITIATOR_NAME_INVALID, "holds InitiatorName \"" + Iqn.printable(
                    new String(value, StandardCharsets.UTF_8)) + "\", which is not a valid iSCSI name: byte "
                    + String.format("0x%02X", value[bytes.position()] & 0xFF) + " at offset " + bytes.position()
                    + " of the value is not UTF-8");
        }
        return new String(value, StandardCharsets.UTF_8);
    }

    /** The value of the first InitiatorName= line; comments (#) and blank lines are skipped. */
    static Optional<String> parse(List<String> lines) {
        for (String line : lines) {
            String text = line.strip();
            if (text.startsWith(KEY)) {
                return Optional.of(text.substring(KEY.length()).strip());
            }
        }
        return Optional.empty();
    }

    private AimException problem(ErrorReason reason, String why) {
        return new AimException(Status.Code.FAILED_PRECONDITION, reason, "initiator name file " + file + " " + why,
                Map.of("file", file.toString()), null);
    }
}
