package com.abiquo.aim.core.error;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.IOException;
import java.nio.charset.MalformedInputException;
import java.nio.charset.StandardCharsets;
import java.nio.file.AccessDeniedException;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.NotDirectoryException;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class FileErrorsTest {
    @TempDir
    Path folder;

    private static IOException failureOf(IoCall call) {
        try {
            call.run();
        } catch (IOException failure) {
            return failure;
        }
        throw new AssertionError("no failure");
    }

    private interface IoCall {
        void run() throws IOException;
    }

    @Test
    void realFailuresOfTheFileSystemAreNamed() throws Exception {
        Path file = Files.writeString(folder.resolve("f"), "x");
        Files.write(folder.resolve("latin1"), "# r\u00e9seau\n".getBytes(StandardCharsets.ISO_8859_1));
        assertEquals("no such file or folder",
                FileErrors.reason(failureOf(() -> Files.readString(folder.resolve("absent")))));
        assertEquals("not UTF-8 text", FileErrors.reason(failureOf(() -> Files.readString(folder.resolve("latin1")))));
        assertEquals("not a directory", FileErrors.reason(failureOf(() -> Files.createDirectory(file.resolve("sub")))));
        assertEquals("is a directory", FileErrors.reason(failureOf(() -> Files.readString(folder))));
    }

    @Test
    void theExceptionTypesAreNamedWhateverTheirText() {
        assertEquals("permission denied", FileErrors.reason(new AccessDeniedException("/etc/abiquo/aim.ini")));
        assertEquals("not a folder", FileErrors.reason(new NotDirectoryException("/x")));
        assertEquals("no such file or folder", FileErrors.reason(new NoSuchFileException("/x")));
        assertEquals("not UTF-8 text", FileErrors.reason(new MalformedInputException(1)));
        assertEquals("no space left on device", FileErrors.reason(new FileSystemException("/x", null,
                "No space left on device")));
        assertEquals("stream closed", FileErrors.reason(new IOException("stream closed")));
        assertEquals("IOException", FileErrors.reason(new IOException()));
    }
}
