package com.abiquo.aim.rimp;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.Test;

class RimpModuleTest {
    @Test
    void servicesBeforeStartSaysSoInsteadOfANullPointer() {
        IllegalStateException early = assertThrows(IllegalStateException.class, () -> new RimpModule().services());
        assertEquals("RimpModule.services() called before start()", early.getMessage());
    }

    @Test
    void stopBeforeStartIsHarmless() {
        new RimpModule().stop();
    }
}
