package com.abiquo.aim.core.error;

import java.io.IOException;
import java.nio.charset.CharacterCodingException;
import java.nio.file.AccessDeniedException;
import java.nio.file.DirectoryNotEmptyException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.FileSystemException;
import java.nio.file.FileSystemLoopException;
import java.nio.file.NoSuchFileException;
import java.nio.file.NotDirectoryException;
import java.nio.file.NotLinkException;
import java.util.Locale;

/**
 * What went wrong with a file, in words, for a message that already names the file: {@code file + ": cannot be
 * read: " + FileErrors.reason(failure)}. The JDK's own text is no message: for most NIO file errors it is just the
 * path again ("/x"), and for a decoding error it is "Input length = 1".
 */
public final class FileErrors {
    private FileErrors() {
    }

    /** A short lower-case reason such as "no such file or folder", "permission denied", "not UTF-8 text". */
    public static String reason(IOException failure) {
        if (failure instanceof NoSuchFileException) {
            return "no such file or folder";
        }
        if (failure instanceof AccessDeniedException) {
            return "permission denied";
        }
        if (failure instanceof NotDirectoryException) {
            return "not a folder";
        }
        if (failure instanceof FileSystemLoopException) {
            return "a loop of symbolic links";
        }
        if (failure instanceof FileAlreadyExistsException) {
            return "already exists";
        }
        if (failure instanceof DirectoryNotEmptyException) {
            return "the folder is not empty";
        }
        if (failure instanceof NotLinkException) {
            return "not a symbolic link";
        }
        if (failure instanceof CharacterCodingException) {
            // MalformedInputException, UnmappableCharacterException: the text is in another encoding, or binary
            return "not UTF-8 text";
        }
        if (failure instanceof FileSystemException system && system.getReason() != null) {
            return lowerFirst(system.getReason()); // the OS's words ("Not a directory", "Is a directory"...)
        }
        String message = failure.getMessage();
        return message == null || message.isBlank() ? failure.getClass().getSimpleName() : lowerFirst(message);
    }

    /** "Is a directory" reads "is a directory" after a colon; "IOException" or "EOF" stay as they are. */
    private static String lowerFirst(String text) {
        return text.length() > 1 && Character.isUpperCase(text.charAt(0)) && Character.isLowerCase(text.charAt(1))
                ? text.substring(0, 1).toLowerCase(Locale.ROOT) + text.substring(1) : text;
    }
}
