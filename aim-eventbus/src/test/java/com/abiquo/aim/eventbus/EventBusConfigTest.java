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
import java.util.Optional;
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
        assertEquals("rediss://***@bus:6379", endpoint.toString(), "logs show neither the user nor the password");
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

    private static String refusal(String section, String key, String value) {
        ConfigException refused = assertThrows(ConfigException.class,
                () -> read(Map.of(section, Map.of(key, value))));
        assertFalse(refused.getMessage().contains("S3cret"), refused.getMessage());
        assertEquals(Optional.of(key), refused.key(), refused.getMessage());
        return refused.getMessage();
    }

    private static void assertEndsWith(String message, String end) {
        assertTrue(message.endsWith(end), message);
    }

    @Test
    void aLoginWithoutColonIsRefusedAsAmbiguousWithoutEchoingIt() {
        for (String url : new String[] {"redis://S3cret@127.0.0.1:6399/0", "rediss://S3cret@bus"}) {
            assertEndsWith(refusal("eventbus", "url", url), "[eventbus] url is not usable: holds a user name "
                    + "without a password: write redis://:PASSWORD@host for a password alone, or "
                    + "redis://USER:PASSWORD@host");
        }
    }

    @Test
    void aPasswordWithReservedCharactersIsToldToBePercentEncoded() {
        for (String url : new String[] {"redis://:pa#S3cret@bus", "redis://:pa/S3cret@bus:6379/0",
            "redis://aim:pa?S3cret@bus", "redis://:pa@S3cret@bus"}) {
            assertEndsWith(refusal("eventbus", "url", url), "holds '/', '#', '?' or '@' unencoded: "
                    + "percent-encode it (%2F, %23, %3F, %40)");
        }
    }

    @Test
    void aPortThatIsNotANumberAndABadHostAreNamed() {
        assertEndsWith(refusal("eventbus", "url", "redis://:S3cret@bus:notaport/0"),
                "the port \"notaport\" is not a number from 1 to 65535");
        assertEndsWith(refusal("eventbus", "url", "redis://:S3cret@bad host;x:6379"),
                "the host \"bad host;x\" is not a host name or IP address");
        assertEndsWith(refusal("eventbus", "url", "aim:S3cret@bus"), "does not start with redis:// or "
                + "rediss://; expected redis://[[user]:password@]host:port[/db]");
    }

    @Test
    void theLegacyHostMustBeAHostNameAndNeverEchoesALogin() {
        assertTrue(refusal("monitor", "redisHost", "bad host;x").endsWith("[monitor] redisHost = \"bad host;x\" is "
                + "invalid: a host name or IP address"));
        for (String host : new String[] {"S3cret@bus", "redis://:S3cret@bus", "redis://S3cret@bus"}) {
            assertTrue(refusal("monitor", "redisHost", host).contains("[monitor] redisHost is not a host name: it "
                    + "holds a URL or a login"), host);
        }
    }
}
