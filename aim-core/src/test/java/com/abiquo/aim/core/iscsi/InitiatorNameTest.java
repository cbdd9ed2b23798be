package com.abiquo.aim.core.iscsi;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.abiquo.aim.core.error.AimException;
import io.grpc.Status;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class InitiatorNameTest {
    @TempDir
    Path folder;

    @Test
    void readsDebiansFileAndSeesChanges() throws Exception {
        Path file = folder.resolve("initiatorname.iscsi");
        Files.writeString(file, "## DO NOT EDIT OR REMOVE THIS FILE!\n## comment\n"
                + "InitiatorName=iqn.1993-08.org.debian:01:9bcf7138eb2b\n");
        InitiatorName name = new InitiatorName(file);
        assertEquals("iqn.1993-08.org.debian:01:9bcf7138eb2b", name.read());
        Files.writeString(file, "InitiatorName=iqn.2026-11.test.aim.storage:changed\n");
        assertEquals("iqn.2026-11.test.aim.storage:changed", name.read());
    }

    @Test
    void aCommentInAnotherEncodingIsSkippedAndANameThatIsNotUtf8IsRefusedSayingSo() throws Exception {
        Path file = folder.resolve("initiatorname.iscsi");
        Files.write(file, "# n\u0153ud de l'\u00e9tage\nInitiatorName=iqn.2026-11.test.aim.storage:node\n"
                .getBytes(StandardCharsets.ISO_8859_1));
        assertEquals("iqn.2026-11.test.aim.storage:node", new InitiatorName(file).read());

        Files.write(file, "InitiatorName=iqn.2026-11.test.aim.storage:n\u00e9\n".getBytes(StandardCharsets.ISO_8859_1));
        AimException failure = assertThrows(AimException.class, () -> new InitiatorName(file).read());
        assertEquals(Status.Code.FAILED_PRECONDITION, failure.code());
        assertEquals("INITIATOR_NAME_INVALID", failure.reason().name());
        assertTrue(failure.getMessage().contains("byte 0xE9 at offset 30 of the value is not UTF-8"),
                failure.getMessage());
    }

    @Test
    void aMissingFileIsAFailedPreconditionNamingIt() {
        Path file = folder.resolve("absent.iscsi");
        AimException failure = assertThrows(AimException.class, () -> new InitiatorName(file).read());
        assertEquals(Status.Code.FAILED_PRECONDITION, failure.code());
        assertEquals("INITIATOR_NAME_FILE_MISSING", failure.reason().name());
        assertTrue(failure.getMessage().contains(file.toString()) && failure.getMessage().contains("does not exist"),
                failure.getMessage());
    }

    @Test
    void aFileWithoutTheKeyIsAFailedPrecondition() throws Exception {
        Path file = Files.writeString(folder.resolve("empty.iscsi"), "# nothing here\n");
        AimException failure = assertThrows(AimException.class, () -> new InitiatorName(file).read());
        assertEquals(Status.Code.FAILED_PRECONDITION, failure.code());
        assertTrue(failure.getMessage().contains("has no \"InitiatorName=\" line"), failure.getMessage());
    }

    @Test
    void aMalformedNameIsAFailedPreconditionSayingWhy() throws Exception {
        Path file = Files.writeString(folder.resolve("bad.iscsi"), "InitiatorName=iqn.93-08.org.debian:x\n");
        AimException failure = assertThrows(AimException.class, () -> new InitiatorName(file).read());
        assertEquals(Status.Code.FAILED_PRECONDITION, failure.code());
        assertEquals("INITIATOR_NAME_INVALID", failure.reason().name());
        assertTrue(failure.getMessage().contains("iqn.93-08.org.debian:x")
                && failure.getMessage().contains("date"), failure.getMessage());
    }

    @Test
    void anEmptyNameIsAFailedPrecondition() throws Exception {
        Path file = Files.writeString(folder.resolve("blank.iscsi"), "InitiatorName=\n");
        AimException failure = assertThrows(AimException.class, () -> new InitiatorName(file).read());
        assertTrue(failure.getMessage().contains("is empty"), failure.getMessage());
    }
}
