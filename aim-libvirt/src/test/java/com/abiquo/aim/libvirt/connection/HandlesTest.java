package com.abiquo.aim.libvirt.connection;

import com.abiquo.aim.libvirt.LibvirtErrorReason;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.abiquo.aim.core.error.AimException;
import io.grpc.Status;
import java.lang.reflect.Field;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.libvirt.Connect;
import org.libvirt.LibvirtException;
import org.libvirt.StoragePool;
import org.libvirt.jna.Libvirt;
import org.libvirt.jna.virError;

/**
 * Handles are freed once their work is done, a libvirt failure included, whose true error is captured onto the
 * exception first (libvirt's test driver: no daemon needed).
 */
class HandlesTest {
    private static final Libvirt.VirErrorCallback QUIET = (userData, error) -> { };
    /** libvirt's VIR_ERR_OPERATION_INVALID: starting a pool that runs already. */
    private static final int OPERATION_INVALID = 55;
    private Connect connect;

    @BeforeEach
    void connect() throws LibvirtException {
        Connect.setErrorCallback(QUIET);
        connect = new Connect("test:///default");
    }

    @AfterEach
    void close() throws LibvirtException {
        connect.close();
    }

    private static Object pointer(StoragePool pool) throws ReflectiveOperationException {
        Field field = StoragePool.class.getDeclaredField("vspp");
        field.setAccessible(true);
        return field.get(pool);
    }

    @Test
    void aHandleIsFreedAfterItsWork() throws Exception {
        StoragePool pool = connect.storagePoolLookupByName("default-pool");
        assertEquals("default-pool", Handles.using(pool, StoragePool::getName));
        assertNull(pointer(pool));
        pool.free();   // what the finalizer does later: nothing more
    }

    @Test
    void aHandleIsFreedWhenItsWorkRefusesWithAnAimFailure() throws Exception {
        StoragePool pool = connect.storagePoolLookupByName("default-pool");
        AimException refused = new AimException(Status.Code.FAILED_PRECONDITION, LibvirtErrorReason.POOL_IN_USE, "refused", Map.of(), null);
        assertEquals(refused, assertThrows(AimException.class, () -> Handles.using(pool, found -> {
            throw refused;
        })));
        assertNull(pointer(pool));
    }

    @Test
    void aLibvirtFailureKeepsItsTrueErrorAndTheHandleIsFreed() throws Exception {
        StoragePool pool = connect.storagePoolLookupByName("default-pool");
        LibvirtException failure = assertThrows(LibvirtException.class, () -> Handles.using(pool, running -> {
            running.create(0);
            return null;
        }));
        assertNull(pointer(pool));
        // Freeing reset the thread's last error; the true code travels with the exception to LibvirtConnection#call.
        virError afterFree = Libvirt.INSTANCE.virGetLastError();
        assertTrue(afterFree == null || afterFree.code == 0, "last error after free: " + afterFree);
        assertEquals(OPERATION_INVALID, LibvirtErrors.trueError(failure).code());
        assertEquals("LIBVIRT_OPERATION_INVALID", LibvirtErrors.map(failure, "starting", true).reason().name());
    }
}
