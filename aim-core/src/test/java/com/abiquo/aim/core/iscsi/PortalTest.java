package com.abiquo.aim.core.iscsi;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.abiquo.aim.core.error.AimException;
import io.grpc.Status;
import java.net.ServerSocket;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class PortalTest {
    @ParameterizedTest
    @CsvSource({
        "127.0.0.1,127.0.0.1,3260,127.0.0.1:3260",
        "san.example.com:3261,san.example.com,3261,san.example.com:3261",
        "[fd00::1]:860,fd00::1,860,[fd00::1]:860",
        "[::1],::1,3260,[::1]:3260"})
    void parsesHostAndPort(String text, String host, int port, String shown) throws AimException {
        Portal portal = Portal.parse(text, "portal");
        assertEquals(host, portal.host());
        assertEquals(port, portal.port());
        assertEquals(shown, portal.toString());
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "''|is empty",
        "host:0|invalid port",
        "host:65536|invalid port",
        "host:abc|invalid port",
        "fd00::1|bare IPv6",
        "[fd00::1|never closes",
        "[fd00::1]x|not \":port\"",
        "[not-v6]:3260|not an IPv6 address",
        "-host|invalid host",
        "host name|invalid host",
        "host;reboot|invalid host"})
    void refusesMalformedPortals(String text, String why) {
        AimException failure = assertThrows(AimException.class, () -> Portal.parse(text, "portal"));
        assertEquals(Status.Code.INVALID_ARGUMENT, failure.code());
        assertTrue(failure.getMessage().contains(why), failure.getMessage());
    }

    @Test
    void aClosedPortIsUnavailableQuickly() throws Exception {
        int port;
        try (ServerSocket socket = new ServerSocket(0)) {
            port = socket.getLocalPort();
        }
        Portal portal = new Portal("127.0.0.1", port);
        long start = System.nanoTime();
        AimException failure = assertThrows(AimException.class,
                () -> portal.requireReachable(Duration.ofSeconds(30), "portal"));
        assertEquals(Status.Code.UNAVAILABLE, failure.code());
        assertTrue(failure.getMessage().contains("127.0.0.1:" + port), failure.getMessage());
        // refused at once, not timed out (the long timeout keeps the two apart on a loaded machine)
        assertTrue(System.nanoTime() - start < 15_000_000_000L, "waited for the timeout on a refused connection");
    }

    @Test
    void anOpenPortIsReachable() throws Exception {
        try (ServerSocket socket = new ServerSocket(0)) {
            new Portal("127.0.0.1", socket.getLocalPort()).requireReachable(Duration.ofSeconds(3), "portal");
        }
    }
}
