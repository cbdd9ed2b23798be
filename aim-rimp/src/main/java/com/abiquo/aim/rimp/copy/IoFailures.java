package com.abiquo.aim.rimp.copy;

import com.abiquo.aim.core.error.AimException;
import com.abiquo.aim.core.error.CoreErrorReason;
import com.abiquo.aim.rimp.RimpErrorReason;
import io.grpc.Status;
import java.io.IOException;
import java.nio.file.AccessDeniedException;
import java.nio.file.DirectoryNotEmptyException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.FileSystemException;
import java.nio.file.NoSuchFileException;
import java.nio.file.NotDirectoryException;
import java.util.Map;

/** Turns file-system failures into statuses with the path and the reason an operator can act on. */
public final class IoFailures {
    private IoFailures() {
    }

    public static AimException map(String what, IOException failure) {
        String detail = failure instanceof FileSystemException fs && fs.getReason() != null
                ? fs.getReason() : String.valueOf(failure.getMessage());
        if (failure instanceof ConfinedFolder.NotAFolder notAFolder) {
            return notAFolder(what + ": ", notAFolder, Map.of("path", notAFolder.path().toString()));
        }
        if (failure instanceof ConfinedFolder.NotARegularFile notAFile) {
            return new AimException(Status.Code.FAILED_PRECONDITION, RimpErrorReason.NOT_A_FILE,
                    what + ": " + notAFile.getMessage(), Map.of("path", notAFile.path().toString()), null);
        }
        if (failure instanceof NativeFile.NativeException nativeFailure) {
            AimException mapped = mapNative(what, nativeFailure);
            if (mapped != null) {
                return mapped;
            }
        }
        if (detail.contains("No space left") || detail.contains("Disk quota exceeded")) {
            return noSpace(what + ": " + detail);
        }
        if (detail.contains("Read-only file system")) {
            return new AimException(Status.Code.FAILED_PRECONDITION, RimpErrorReason.READ_ONLY_FILE_SYSTEM,
                    what + ": " + detail,
                    Map.of(), null);
        }
        if (failure instanceof NoSuchFileException) {
            return new AimException(Status.Code.NOT_FOUND, RimpErrorReason.PATH_NOT_FOUND,
                    what + ": " + failure.getMessage()
                    + " does not exist", Map.of(), null);
        }
        if (failure instanceof FileAlreadyExistsException) {
            return new AimException(Status.Code.ALREADY_EXISTS, RimpErrorReason.PATH_EXISTS,
                    what + ": " + failure.getMessage()
                    + " already exists", Map.of(), null);
        }
        if (failure instanceof AccessDeniedException) {
            return new AimException(Status.Code.PERMISSION_DENIED, RimpErrorReason.ACCESS_DENIED,
                    what + ": access denied to "
                    + failure.getMessage(), Map.of(), null);
        }
        if (failure instanceof NotDirectoryException || failure instanceof DirectoryNotEmptyException) {
            return new AimException(Status.Code.FAILED_PRECONDITION, RimpErrorReason.NOT_A_FILE, what + ": " + failure,
                    Map.of(), null);
        }
        return new AimException(Status.Code.INTERNAL, RimpErrorReason.IO_ERROR, what + ": " + failure.getMessage(),
                Map.of(),
                failure);
    }

    /**
     * A file (or a link) where a destination needs a folder, as the caller's conflict: named by the request's field.
     */
    public static AimException notAFolder(String field, ConfinedFolder.NotAFolder failure) {
        return notAFolder(field + ": ", failure, Map.of("field", field, "path", failure.path().toString()));
    }

    private static AimException notAFolder(String prefix, ConfinedFolder.NotAFolder failure,
                                           Map<String, String> metadata) {
        return new AimException(Status.Code.FAILED_PRECONDITION,
                failure.link() ? RimpErrorReason.PATH_IS_LINK : RimpErrorReason.NOT_A_FILE,
                prefix + failure.getMessage(), metadata, null);
    }

    /** The system calls made through JNA fail with an errno, not a java.nio exception: the same statuses. */
    private static AimException mapNative(String what, NativeFile.NativeException failure) {
        String message = what + ": " + failure.getMessage();
        if (failure.noSpace()) {
            return noSpace(message);
        }
        return switch (failure.errno()) {
            case Libc.EROFS -> new AimException(Status.Code.FAILED_PRECONDITION, RimpErrorReason.READ_ONLY_FILE_SYSTEM,
                    message,
                    Map.of(), null);
            case Libc.EACCES, Libc.EPERM -> new AimException(Status.Code.PERMISSION_DENIED,
                    RimpErrorReason.ACCESS_DENIED,
                    message, Map.of(), null);
            // ESTALE: an NFS file or folder removed on the server meanwhile, which is a vanished path here too
            case Libc.ENOENT, Libc.ESTALE -> new AimException(Status.Code.NOT_FOUND, RimpErrorReason.PATH_NOT_FOUND,
                    message, Map.of(), null);
            case Libc.EISDIR -> new AimException(Status.Code.FAILED_PRECONDITION, RimpErrorReason.NOT_A_FILE, message,
                    Map.of(), null);
            case Libc.ENAMETOOLONG -> new AimException(Status.Code.INVALID_ARGUMENT, CoreErrorReason.NAME_TOO_LONG,
                    message,
                    Map.of(), null);
            case Libc.EEXIST -> new AimException(Status.Code.ALREADY_EXISTS, RimpErrorReason.PATH_EXISTS, message,
                    Map.of(),
                    null);
            case Libc.ELOOP -> new AimException(Status.Code.FAILED_PRECONDITION, RimpErrorReason.PATH_IS_LINK, message,
                    Map.of(),
                    null);
            default -> null;
        };
    }

    public static AimException noSpace(String message) {
        return new AimException(Status.Code.RESOURCE_EXHAUSTED, RimpErrorReason.NO_SPACE, message, Map.of(), null);
    }
}
