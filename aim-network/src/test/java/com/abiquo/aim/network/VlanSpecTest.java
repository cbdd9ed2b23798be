package com.abiquo.aim.network;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.abiquo.aim.core.error.AimException;
import io.grpc.Status;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class VlanSpecTest {
    @Test
    void acceptsTheOriginalsNamesAndDerivesTheDevice() throws AimException {
        VlanSpec spec = VlanSpec.of(5, "eth0", "abiquo_5");
        assertEquals("eth0.5", spec.device());
        assertEquals(4094, VlanSpec.of(4094, "bond0", "abiquo_4094").tag());
        assertEquals("a-b_c.1", VlanSpec.of(1, "a-b_c", "br-x.y").device());
    }

    @ParameterizedTest
    @ValueSource(longs = {0, -1, 4095, 65536, 4294967295L})
    void refusesTagsOutside1To4094(long tag) {
        AimException failure = assertThrows(AimException.class, () -> VlanSpec.of(tag, "eth0", "abiquo_5"));
        assertEquals(Status.Code.INVALID_ARGUMENT, failure.code());
        assertEquals("INVALID_VLAN_TAG", failure.reason().name());
        assertTrue(failure.getMessage().contains(Long.toString(tag)), failure.getMessage());
    }

    @ParameterizedTest
    @ValueSource(strings = {"", ".", "..", "all", "default", "eth0;reboot", "eth0 x", "a/b", "a:b", "$(id)",
        "eth\n0", "ethé", "sixteen-chars-xx", "-", "-json", "\u0000"})
    void refusesNamesTheKernelOrTheFilesWouldNotTake(String name) {
        AimException asBridge = assertThrows(AimException.class, () -> VlanSpec.of(5, "eth0", name));
        assertEquals(Status.Code.INVALID_ARGUMENT, asBridge.code());
        assertEquals("bridge", asBridge.metadata().get("field"));
        AimException asParent = assertThrows(AimException.class, () -> VlanSpec.of(5, name, "abiquo_5"));
        assertEquals("parent_interface", asParent.metadata().get("field"));
    }

    @Test
    void fifteenBytesIsTheLimitAlsoForTheDerivedVlanName() throws AimException {
        VlanSpec.of(5, "eth0", "fifteen-chars-x");
        AimException failure = assertThrows(AimException.class, () -> VlanSpec.of(4094, "twelve-chars", "br0"));
        assertTrue(failure.getMessage().contains("twelve-chars.4094"), failure.getMessage());
        assertEquals("eleven-char.9", VlanSpec.of(9, "eleven-char", "br0").device());
    }

    @Test
    void bridgeMustDifferFromTheInterfaces() {
        assertThrows(AimException.class, () -> VlanSpec.of(5, "eth0", "eth0"));
        assertThrows(AimException.class, () -> VlanSpec.of(5, "eth0", "eth0.5"));
        assertThrows(AimException.class, () -> VlanSpec.of(5, "eth0", "abiquo_eth0.5"));
    }

    @ParameterizedTest
    @ValueSource(strings = {"abiquo_eth0.5", "abiquo_eth0.6", "abiquo_bond0.42", "abiquo_x.1"})
    void aBridgeNamedLikeAVlansFileIsRefused(String bridge) throws AimException {
        AimException failure = assertThrows(AimException.class, () -> VlanSpec.of(5, "eth0", bridge));
        assertEquals(Status.Code.INVALID_ARGUMENT, failure.code());
        assertEquals("INVALID_INTERFACE_NAME", failure.reason().name());
        assertEquals("bridge", failure.metadata().get("field"));
        assertTrue(failure.getMessage().contains("ifcfg-" + bridge), failure.getMessage());
        assertEquals("abiquo_eth0", VlanSpec.of(5, "eth0", "abiquo_eth0").bridge());
    }
}
