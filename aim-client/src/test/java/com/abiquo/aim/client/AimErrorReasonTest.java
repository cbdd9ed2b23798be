package com.abiquo.aim.client;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.Descriptors.EnumValueDescriptor;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

class AimErrorReasonTest {
    @Test
    void theEnumIsTheProtoCatalogueInItsOrder() {
        List<String> proto = AimErrorReason.protoCatalogue().stream().map(EnumValueDescriptor::getName).toList();
        List<String> client = Arrays.stream(AimErrorReason.values())
                .filter(reason -> reason != AimErrorReason.NONE && reason != AimErrorReason.UNRECOGNIZED)
                .map(Enum::name)
                .toList();
        assertEquals(proto, client, "AimErrorReason must list the protos' ...ErrorReason values, in order");
    }

    @Test
    void eachReasonLeadsToItsProtoDefinition() {
        assertEquals("RimpErrorReason", AimErrorReason.PATH_NOT_FOUND.descriptor().orElseThrow().getType().getName());
        assertEquals("EventsErrorReason",
                AimErrorReason.of("SUBSCRIBER_TOO_SLOW").descriptor().orElseThrow().getType().getName());
        assertFalse(AimErrorReason.NONE.descriptor().isPresent());
    }

    @Test
    @SuppressWarnings("deprecation")
    void retiredReasonsAreStillKnown() {
        assertEquals(AimErrorReason.FILE_NOT_FOUND, AimErrorReason.of("FILE_NOT_FOUND"));
        assertTrue(AimErrorReason.FILE_NOT_FOUND.isRetired());
        assertFalse(AimErrorReason.PATH_NOT_FOUND.isRetired());
    }
}
