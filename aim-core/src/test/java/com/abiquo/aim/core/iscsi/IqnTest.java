package com.abiquo.aim.core.iscsi;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.abiquo.aim.core.error.AimException;
import io.grpc.Status;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class IqnTest {
    @ParameterizedTest
    @ValueSource(strings = {
        "iqn.1993-08.org.debian:01:9bcf7138eb2b",
        "iqn.2026-11.test.aim.storage:run-1",
        "iqn.1991-05.com.microsoft:host.example.com",
        "iqn.2001-04.com.example",
        "IQN.2001-04.COM.Example:Storage.Disk2",
        "eui.02004567A425678D",
        "iqn.2003-01.org.linux-iscsi.host.x8664:sn.2f8d2b1d5bda"})
    void acceptsRfc3720Names(String name) throws AimException {
        assertEquals(name, Iqn.require(name, "target_iqn"));
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "''|is empty",
        "iqn|does not start with",
        "foo.2001-04.com.example|does not start with",
        "iqn.2001-13.com.example|lacks the date",
        "iqn.01-04.com.example|lacks the date",
        "iqn.2001-04com.example|lacks the date",
        "iqn.2001-04.|lacks the naming authority",
        "iqn.2001-04.com..example|invalid naming authority",
        "iqn.2001-04.-com.example|invalid naming authority",
        "iqn.2001-04.com.example:|invalid identifier",
        "iqn.2001-04.com.example:a b|invalid identifier",
        "iqn.2001-04.com.example:x;rm -rf|invalid identifier",
        "iqn.2001-04.com.example:<x>|invalid identifier",
        "eui.02004567A425678|exactly 16 hexadecimal digits",
        "eui.02004567A425678G|exactly 16 hexadecimal digits"})
    void refusesMalformedNamesSayingWhy(String name, String why) {
        AimException failure = assertThrows(AimException.class, () -> Iqn.require(name, "target_iqns[0]"));
        assertEquals(Status.Code.INVALID_ARGUMENT, failure.code());
        assertEquals("INVALID_IQN", failure.reason().name());
        assertTrue(failure.getMessage().startsWith("target_iqns[0] \""), failure.getMessage());
        assertTrue(failure.getMessage().contains(why), failure.getMessage());
    }

    @Test
    void refusesNamesLongerThan223Bytes() {
        String longest = "iqn.2001-04.com.example:" + "a".repeat(223 - 24);
        assertTrue(Iqn.problem(longest).isEmpty());
        assertTrue(Iqn.problem(longest + "a").orElseThrow().contains("longer than 223 bytes"));
    }

    @Test
    void comparesWithoutCase() {
        assertTrue(Iqn.same("iqn.2001-04.com.Example:A", "IQN.2001-04.com.example:a"));
    }

    @Test
    void controlCharactersAreShownEscaped() {
        AimException failure = assertThrows(AimException.class, () -> Iqn.require("iqn.2001-04.a:\nb", "f"));
        assertTrue(failure.getMessage().contains("\\u000a"), failure.getMessage());
    }
}
