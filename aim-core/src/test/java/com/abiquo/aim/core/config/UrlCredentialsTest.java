package com.abiquo.aim.core.config;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.Map;
import org.junit.jupiter.api.Test;

class UrlCredentialsTest {
    @Test
    void everyShapeOfUserInformationIsMasked() {
        assertEquals("redis://***@h:1", UrlCredentials.mask("redis://S3cret@h:1"));
        assertEquals("redis://***@h:1", UrlCredentials.mask("redis://:S3cret@h:1"));
        assertEquals("rediss://***@h", UrlCredentials.mask("rediss://user:S3cret@h"));
        assertEquals("url = \"redis://***@h/0\" is invalid",
                UrlCredentials.mask("url = \"redis://a:b#c@h/0\" is invalid"));
        assertEquals("x redis://***@h and http://***@g y", UrlCredentials.mask("x redis://p@h and http://u:p@g y"));
    }

    @Test
    void urlsWithoutUserInformationAndOtherTextStayAsTheyAre() {
        assertEquals("redis://h:6379/0", UrlCredentials.mask("redis://h:6379/0"));
        assertEquals("mail me at a@b", UrlCredentials.mask("mail me at a@b"));
    }

    @Test
    void aConfigExceptionNeverCarriesAUrlsLogin() {
        AimSettings settings = new AimSettings("aim.ini", Map.of("eventbus", Map.of("url", "x")));
        assertEquals("aim.ini: [eventbus] url = \"redis://***@h\" is invalid: no", settings.error("eventbus", "url",
                "redis://S3cret@h", "no").getMessage());
    }
}
