package com.abiquo.aim.core.config;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class HostNamesTest {
    @ParameterizedTest
    @ValueSource(strings = {"127.0.0.1", "0.0.0.0", "::", "::1", "fe80::1%eth0", "2001:db8::7", "localhost",
        "redis.example", "kvm-07.dc1.example.", "my_host", "a1"})
    void addressesAndNamesAreAccepted(String host) {
        assertTrue(HostNames.isValid(host), host);
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "not an address", "bad host;x", "-lead", "trail-.example", "a..b", "10.0.0.256",
        "10.0.0", "1::2::3", "h@st", "host:6379", "[::1]", "ünï.example"})
    void anythingElseIsRefused(String host) {
        assertFalse(HostNames.isValid(host), host);
    }
}
