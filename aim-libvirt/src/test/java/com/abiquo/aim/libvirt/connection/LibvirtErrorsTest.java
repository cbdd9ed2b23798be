package com.abiquo.aim.libvirt.connection;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.abiquo.aim.core.error.AimException;
import com.abiquo.aim.libvirt.connection.LibvirtErrors.LibvirtError;
import io.grpc.Status;
import org.junit.jupiter.api.Test;

/** The libvirt code -> gRPC status table, without libvirt. */
class LibvirtErrorsTest {
    private static Status.Code status(int code, String message) {
        return LibvirtErrors.statusOf(new LibvirtError(code, 10, message));
    }

    @Test
    void trueCodesMapToPreciseStatuses() {
        assertEquals(Status.Code.NOT_FOUND, status(42, "Domain not found"));
        assertEquals(Status.Code.NOT_FOUND, status(49, "Storage pool not found"));
        assertEquals(Status.Code.NOT_FOUND, status(50, "Storage volume not found"));
        assertEquals(Status.Code.NOT_FOUND, status(72, "Domain snapshot not found"));
        assertEquals(Status.Code.INVALID_ARGUMENT, status(27, "XML error"));
        assertEquals(Status.Code.INVALID_ARGUMENT, status(8, "invalid argument"));
        assertEquals(Status.Code.INVALID_ARGUMENT, status(92, "XML document failed to validate against schema"));
        assertEquals(Status.Code.FAILED_PRECONDITION, status(55, "Requested operation is not valid"));
        assertEquals(Status.Code.ALREADY_EXISTS, status(28, "operation failed: domain exists"));
        assertEquals(Status.Code.ALREADY_EXISTS, status(90, "storage volume already exists"));
        assertEquals(Status.Code.ALREADY_EXISTS, status(9, "operation failed: domain 'x' already exists with uuid y"));
        assertEquals(Status.Code.FAILED_PRECONDITION, status(9, "operation failed: something else"));
        assertEquals(Status.Code.UNIMPLEMENTED, status(84, "Operation not supported"));
        assertEquals(Status.Code.UNAVAILABLE, status(39, "RPC error"));
        assertEquals(Status.Code.PERMISSION_DENIED, status(88, "access denied"));
        assertEquals(Status.Code.UNKNOWN, status(999, "from a newer libvirt"));
        assertEquals("NO_DOMAIN_SNAPSHOT", LibvirtErrors.codeName(72));
        assertEquals("CODE_999", LibvirtErrors.codeName(999));
    }

    @Test
    void everyFailureOnADeadConnectionIsUnavailableWithLibvirtsDetails() {
        AimException failure = LibvirtErrors.toAimException(new LibvirtError(38, 7, "client socket is closed"),
                "powering on domain 'x'", false, null);
        assertEquals(Status.Code.UNAVAILABLE, failure.code());
        assertEquals("LIBVIRT_UNREACHABLE", failure.reason().name());
        assertEquals("38", failure.metadata().get("libvirt_code"));
        assertEquals("VIR_ERR_SYSTEM_ERROR", failure.metadata().get("libvirt_error"));
        assertEquals("client socket is closed", failure.metadata().get("libvirt_message"));
        assertEquals(Status.Code.FAILED_PRECONDITION, LibvirtErrors.toAimException(
                new LibvirtError(38, 7, "cannot open file"), "", true, null).code());
    }

    @Test
    void qemuImgRefusingALockedImageIsRecognisedOnlyFromItsInternalError() {
        // libvirt 9's words when qemu-img resize meets the image of a running domain (LibvirtServiceSystemTest).
        String locked = "internal error: Child process (/usr/bin/qemu-img resize /p/d1.qcow2 2147483648) unexpected "
                + "exit status 1: qemu-img: Could not open '/p/d1.qcow2': Failed to get \"write\" lock\n";
        assertTrue(LibvirtErrors.imageWriteLockHeld(LibvirtErrors.toAimException(new LibvirtError(1, 18, locked),
                "resizing", true, null)));
        assertFalse(LibvirtErrors.imageWriteLockHeld(LibvirtErrors.toAimException(
                new LibvirtError(1, 18, "internal error: other"), "resizing", true, null)));
        // The same words under another code, or on a lost connection, are not this.
        assertFalse(LibvirtErrors.imageWriteLockHeld(LibvirtErrors.toAimException(new LibvirtError(9, 18, locked),
                "resizing", true, null)));
        assertFalse(LibvirtErrors.imageWriteLockHeld(LibvirtErrors.toAimException(new LibvirtError(1, 18, locked),
                "resizing", false, null)));
    }

    /** The enum constant libvirt-java makes of a libvirt code (as its ErrorHandler does, from virGetLastError). */
    private static org.libvirt.Error.ErrorNumber javaConstant(int code) {
        org.libvirt.jna.virError raw = new org.libvirt.jna.virError();
        raw.code = code;
        raw.level = 2; // VIR_ERR_ERROR
        return new org.libvirt.Error(raw).getCode();
    }

    @Test
    void libvirtJavasEnumOrdinalIsTheTrueCodeOnlyItsNamesAreShifted() {
        // Measured with libvirt-java 0.5.2: the enum is indexed with the raw code. From 60 up the constant's NAME is
        // libvirt's name for code + 4 (the enum lacks 60-63); the ordinal is the code itself.
        assertEquals("VIR_ERR_STORAGE_POOL_BUILT", javaConstant(72).name());
        assertEquals(72, LibvirtErrors.codeOf(javaConstant(72)));
        assertEquals(68, LibvirtErrors.codeOf(javaConstant(68)));
        assertEquals(42, LibvirtErrors.codeOf(javaConstant(42)));
        assertEquals(79, LibvirtErrors.codeOf(javaConstant(79)));
        // From 80 up every code is clamped onto VIR_ERR_UNKNOWN: lost unless read from libvirt before a free.
        assertEquals("VIR_ERR_UNKNOWN", javaConstant(86).name());
        assertEquals(LibvirtErrors.UNKNOWN_CODE, LibvirtErrors.codeOf(javaConstant(80)));
        assertEquals(LibvirtErrors.UNKNOWN_CODE, LibvirtErrors.codeOf(javaConstant(86)));
        AimException unknown = LibvirtErrors.toAimException(new LibvirtError(LibvirtErrors.UNKNOWN_CODE, 10, "?"),
                "", true, null);
        assertEquals(Status.Code.UNKNOWN, unknown.code());
        assertEquals("LIBVIRT_UNKNOWN", unknown.reason().name());
        assertEquals("unknown", unknown.metadata().get("libvirt_code"));
    }
}
