package com.abiquo.aim.eventbus;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.abiquo.aim.core.config.AimSettings;
import com.abiquo.aim.core.config.ConfigException;
import com.abiquo.aim.eventbus.redis.RedisEndpoint;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;

class EventBusConfigTest {
    private static EventBusConfig read(Map<String, Map<String, String>> sections) throws ConfigException {
        return EventBusConfig.read(new AimSettings("aim.ini", sections), Path.of("/etc/abiquo"), "kvm-07");
    }

    @Test
    void offByDefault() throws Exception {
        EventBusConfig config = read(Map.of());
        assertTrue(config.stream().isEmpty());
        assertTrue(config.legacy().isEmpty());
    }

    @Test
    void defaultsNameTheStreamAfterTheNodeAndKeepAMillionEntries() throws Exception {
        EventBusConfig.StreamSettings stream = read(Map.of("eventbus", Map.of("url", "redis://bus:6380/2")))
                .stream().orElseThrow();
        assertEquals("aim:events:kvm-07", stream.key());
        assertEquals(1_000_000, stream.maxLength());
        assertEquals(new RedisEndpoint("bus", 6380, null, null, 2, false, null), stream.endpoint());
    }

    @Test
    void userPasswordTlsAndCaAreRead() throws Exception {
        RedisEndpoint endpoint = read(Map.of("eventbus", Map.of("url", "rediss://aim:p%40ss:w@bus", "tlsCa",
                "ca.pem", "stream", "fleet:<hostname>:events"))).stream().orElseThrow().endpoint();
        assertEquals("aim", endpoint.user());
        assertEquals("p@ss:w", endpoint.password());
        assertEquals(6379, endpoint.port());
        assertTrue(endpoint.tls());
        assertEquals(Path.of("/etc/abiquo/ca.pem"), endpoint.tlsCa());
        assertEquals("rediss://aim:***@bus:6379", endpoint.toString(), "logs never show the password");
    }

    @Test
    void badUrlsAreRefusedWithoutEchoingThem() {
        for (String url : new String[] {"http://:secret@bus", "redis://:secret@bus/x", "redis://:secret@/0",
            "redis://:secret@bus:6379?ssl=true"}) {
            ConfigException refused = assertThrows(ConfigException.class,
                    () -> read(Map.of("eventbus", Map.of("url", url))));
            assertTrue(refused.getMessage().contains("[eventbus] url is not usable"), refused.getMessage());
            assertFalse(refused.getMessage().contains("secret"), refused.getMessage());
        }
    }

    @Test
    void aCaWithoutTlsIsRefused() {
        ConfigException refused = assertThrows(ConfigException.class,
                () -> read(Map.of("eventbus", Map.of("url", "redis://bus", "tlsCa", "ca.pem"))));
        assertTrue(refused.getMessage().contains("not rediss://"), refused.getMessage());
    }

    @Test
    void theLegacyKeysOfAim2FilesTurnOnItsPublishing() throws Exception {
        assertEquals(RedisEndpoint.plain("10.0.0.5", 6379),
                read(Map.of("monitor", Map.of("redisHost", "10.0.0.5"))).legacy().orElseThrow());
        assertEquals(RedisEndpoint.plain("10.0.0.5", 6380), read(Map.of("monitor", Map.of("redisHost",
                "10.0.0.5", "redisPort", "6380"))).legacy().orElseThrow());
        assertTrue(read(Map.of("monitor", Map.of("redisPort", "6380"))).legacy().isEmpty(), "no host: off");
        assertThrows(ConfigException.class, () -> read(Map.of("monitor", Map.of("redisHost", "h",
                "redisPort", "70000"))));
    }
}
