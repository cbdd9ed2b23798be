package com.abiquo.aim.core.path;

import com.abiquo.aim.core.error.AimException;
import com.abiquo.aim.core.error.CoreErrorReason;
import com.abiquo.aim.core.error.ErrorReason;
import io.grpc.Status;
import java.nio.charset.StandardCharsets;
import java.util.Map;

/**
 * The kernel's limits on paths, checked on what a client sends before anything is touched, so that a name or path
 * the file system would refuse ("File name too long") is the client's INVALID_ARGUMENT naming the field, never an
 * I/O failure (INTERNAL) half-way through an operation. Linux counts bytes, not characters: NAME_MAX is 255 bytes
 * for every component of a path (not only the last one) and PATH_MAX is 4096 bytes including the final NUL.
 */
public final class PathLimits {
    /** NAME_MAX: the longest single name (one component of a path), in bytes. */
    public static final int NAME_MAX_BYTES = 255;
    /** PATH_MAX less the terminating NUL: the longest path the kernel accepts, in bytes. */
    public static final int PATH_MAX_BYTES = 4095;

    private PathLimits() {
    }

    /**
     * Checks a path from a request: not empty, no NUL byte, at most {@link #PATH_MAX_BYTES} bytes in UTF-8, and
     * every component at most {@link #NAME_MAX_BYTES} bytes.
     *
     * @param field how the request names this path, for the message and ErrorInfo (e.g. "destination")
     */
    public static String checkPath(String path, String field) throws AimException {
        if (path == null || path.isEmpty()) {
            throw invalid(CoreErrorReason.INVALID_PATH, field, "", "is empty");
        }
        if (path.indexOf('\0') >= 0) {
            throw invalid(CoreErrorReason.INVALID_PATH, field, path, "contains a NUL byte");
        }
        int bytes = utf8Length(path);
        if (bytes > PATH_MAX_BYTES) {
            throw invalid(CoreErrorReason.PATH_TOO_LONG, field, path,
                    "is " + bytes + " bytes long in UTF-8; the limit for a path "
                    + "is " + PATH_MAX_BYTES + " bytes");
        }
        for (String component : path.split("/")) {
            int componentBytes = utf8Length(component);
            if (componentBytes > NAME_MAX_BYTES) {
                throw invalid(CoreErrorReason.NAME_TOO_LONG, field, path,
                        "has a component of " + componentBytes + " bytes in "
                        + "UTF-8 (\"" + shorten(component) + "\"); the limit for one name in a path is "
                        + NAME_MAX_BYTES + " bytes");
            }
        }
        return path;
    }

    /** Checks one name that becomes a file or folder name: not empty, no NUL or '/', at most NAME_MAX bytes. */
    public static String checkName(String name, String field) throws AimException {
        if (name == null || name.isEmpty()) {
            throw invalid(CoreErrorReason.INVALID_NAME, field, "", "is empty");
        }
        if (name.indexOf('\0') >= 0 || name.indexOf('/') >= 0) {
            throw invalid(CoreErrorReason.INVALID_NAME, field, name, "must be one name, without '/' or NUL bytes");
        }
        int bytes = utf8Length(name);
        if (bytes > NAME_MAX_BYTES) {
            throw invalid(CoreErrorReason.NAME_TOO_LONG, field, name,
                    "is " + bytes + " bytes long in UTF-8; the limit for one "
                    + "name is " + NAME_MAX_BYTES + " bytes");
        }
        return name;
    }

    /** Bytes of the string in UTF-8 (an unpaired surrogate counts as the one '?' byte it is encoded as). */
    public static int utf8Length(String value) {
        return value.getBytes(StandardCharsets.UTF_8).length;
    }

    /** A value cut for a message: a client may send megabytes; the operator needs the start. */
    public static String shorten(String value) {
        String shown = value.replace("\0", "\\0");
        return shown.length() > 120 ? shown.substring(0, 120) + "...(" + shown.length() + " characters)" : shown;
    }

    private static AimException invalid(ErrorReason reason, String field, String value, String why) {
        return new AimException(Status.Code.INVALID_ARGUMENT, reason, field + " \"" + shorten(value) + "\" " + why,
                Map.of("field", field), null);
    }
}
