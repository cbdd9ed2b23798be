package com.abiquo.aim.core.path;

import com.abiquo.aim.core.error.AimException;
import com.abiquo.aim.core.error.CoreErrorReason;
import io.grpc.Status;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.Map;

/**
 * A folder that client paths must stay inside (the repository, a datastore). {@link #resolve} turns a path from a
 * request into a real path under the root, or refuses it before anything is touched: {@code ..} segments, NUL
 * bytes and names or paths over the kernel's limits ({@link PathLimits}, for the path as sent and once under its
 * root) are INVALID_ARGUMENT; absolute paths elsewhere and symlinks that lead out are PERMISSION_DENIED.
 */
public final class ConfinedRoot {
    private final Path root;

    private ConfinedRoot(Path root) {
        this.root = root;
    }

    /** The root itself must exist; it is resolved to its real path once so later checks compare real paths. */
    public static ConfinedRoot of(Path root) throws IOException {
        return new ConfinedRoot(root.toRealPath());
    }

    public Path root() {
        return root;
    }

    /**
     * @param clientPath a path relative to the root, or absolute and inside it
     * @param what how the request names this path, for the message (e.g. "repository_path")
     */
    public Path resolve(String clientPath, String what) throws AimException {
        if (clientPath == null || clientPath.isBlank()) {
            throw invalid(what, clientPath, "is empty");
        }
        PathLimits.checkPath(clientPath, what);
        Path requested;
        try {
            requested = Path.of(clientPath);
        } catch (InvalidPathException bad) {
            throw invalid(what, clientPath, "is not a valid path: " + bad.getReason());
        }
        for (Path segment : requested) {
            if (segment.toString().equals("..")) {
                throw invalid(what, clientPath, "contains a '..' segment");
            }
        }
        Path candidate = root.resolve(requested).normalize();
        int candidateBytes = PathLimits.utf8Length(candidate.toString());
        if (candidateBytes > PathLimits.PATH_MAX_BYTES) {
            throw new AimException(Status.Code.INVALID_ARGUMENT, CoreErrorReason.PATH_TOO_LONG, what + " \""
                    + PathLimits.shorten(clientPath) + "\" is " + candidateBytes + " bytes long in UTF-8 under " + root
                    + "; the limit for a path is " + PathLimits.PATH_MAX_BYTES + " bytes", Map.of("field", what), null);
        }
        if (!candidate.startsWith(root)) {
            throw denied(what, clientPath, "is outside " + root);
        }
        Path real = realPathOfDeepestExisting(candidate, what, clientPath);
        if (!real.startsWith(root)) {
            throw denied(what, clientPath, "leads outside " + root + " through a symbolic link");
        }
        return real;
    }

    private Path realPathOfDeepestExisting(Path candidate, String what, String clientPath) throws AimException {
        Path existing = candidate;
        Path rest = existing.getFileSystem().getPath("");
        while (existing != null && !Files.exists(existing, LinkOption.NOFOLLOW_LINKS)) {
            rest = existing.getFileName().resolve(rest);
            existing = existing.getParent();
        }
        if (existing == null) {
            throw denied(what, clientPath, "has no existing ancestor");
        }
        try {
            return existing.toRealPath().resolve(rest).normalize();
        } catch (IOException dangling) {
            throw denied(what, clientPath, "goes through a symbolic link that leads nowhere (" + existing + ")");
        }
    }

    private static AimException invalid(String what, String clientPath, String why) {
        return new AimException(Status.Code.INVALID_ARGUMENT, CoreErrorReason.INVALID_PATH,
                what + " \"" + PathLimits.shorten(clientPath) + "\" " + why, Map.of("field", what), null);
    }

    private AimException denied(String what, String clientPath, String why) {
        return new AimException(Status.Code.PERMISSION_DENIED, CoreErrorReason.PATH_OUTSIDE_ROOT,
                what + " \"" + PathLimits.shorten(clientPath) + "\" " + why, Map.of("field", what, "root",
                        root.toString()), null);
    }
}
