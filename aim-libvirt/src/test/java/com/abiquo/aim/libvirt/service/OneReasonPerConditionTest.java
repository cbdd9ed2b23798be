package com.abiquo.aim.libvirt.service;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import com.abiquo.aim.core.error.AimException;
import com.abiquo.aim.libvirt.pool.Names;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * A bad pool or volume name is refused with the same ErrorInfo reason whether the Libvirt service's request check
 * (StorageRequests) or the pool code behind the Storage service (Names) meets it first (issue 11: one reason per
 * condition; Names used to answer INVALID_NAME where the Libvirt service said POOL_NAME_INVALID).
 */
class OneReasonPerConditionTest {
    @FunctionalInterface
    private interface Check {
        void run(String name) throws AimException;
    }

    private static String reason(Check check, String name) {
        return assertThrows(AimException.class, () -> check.run(name), name).reason().name();
    }

    private static void sameReason(Check service, Check pools, List<String> names, String expectedEmpty,
                                   String expectedInvalid) {
        for (String name : names) {
            String expected = name.isEmpty() ? expectedEmpty : expectedInvalid;
            assertEquals(expected, reason(service, name), "the Libvirt service's check of \"" + name + "\"");
            assertEquals(expected, reason(pools, name), "the pools' check of \"" + name + "\"");
        }
    }

    @Test
    void aNewPoolsBadName() {
        sameReason(StorageRequests::checkNewPoolName, name -> Names.newPoolName(name, "name"),
                List.of("", "-starts-with-dash", "a/b", "x".repeat(65), "spa ce"), "POOL_NAME_EMPTY",
                "POOL_NAME_INVALID");
    }

    @Test
    void anExistingPoolsBadName() {
        sameReason(StorageRequests::checkPoolName, name -> Names.existingPoolName(name, "pool"),
                List.of("", "a/b", "ctl\u0001", "x".repeat(256)), "POOL_NAME_EMPTY", "POOL_NAME_INVALID");
    }

    @Test
    void anExistingVolumesBadName() {
        sameReason(StorageRequests::checkVolumeName, name -> Names.existingVolumeName(name, "name"),
                List.of("", "a/b", "ctl\u0001", "x".repeat(256)), "VOLUME_NAME_EMPTY", "VOLUME_NAME_INVALID");
    }
}
