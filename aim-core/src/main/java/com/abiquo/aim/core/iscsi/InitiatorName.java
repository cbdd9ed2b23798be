package com.abiquo.aim.core.iscsi;

import com.abiquo.aim.core.error.CoreErrorReason;
import static java.util.Objects.requireNonNull;

import com.abiquo.aim.core.error.AimException;
import com.abiquo.aim.core.error.ErrorReason;
import com.abiquo.aim.core.error.FileErrors;
import io.grpc.Status;
import java.io.IOException;
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
            lines = Files.readAllLines(file, StandardCharsets.UTF_8);
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
        Optional<String> invalid = Iqn.problem(name.get());
        if (invalid.isPresent()) {
            throw problem(CoreErrorReason.INITIATOR_NAME_INVALID,
                    "holds InitiatorName \"" + Iqn.printable(name.get())
                    + "\", which is not a valid iSCSI name: it " + invalid.get());
        }
        return name.get();
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
