package com.abiquo.aim.client;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import org.junit.jupiter.api.Test;

class AimClientTargetTest {
    @Test
    void addressesGetTheDefaultPortWhenTheyHaveNone() {
        assertEquals("node1:60606", AimClient.Builder.target("node1"));
        assertEquals("node1:7000", AimClient.Builder.target("node1:7000"));
        assertEquals("[::1]:60606", AimClient.Builder.target("::1"));
        assertEquals("[::1]:7000", AimClient.Builder.target("[::1]:7000"));
        assertThrows(IllegalArgumentException.class, () -> AimClient.Builder.target(" "));
    }

    @Test
    void backoffGrowsWithJitterUpToItsCeilingAndStartsOverAfterAReset() {
        Backoff backoff = new Backoff(Duration.ofMillis(100), Duration.ofSeconds(1));
        Duration first = backoff.next();
        assertTrue(first.toMillis() >= 50 && first.toMillis() <= 100, first.toString());
        for (int i = 0; i < 30; i++) {
            Duration next = backoff.next();
            assertTrue(next.toMillis() <= 1000, next.toString());
        }
        Duration capped = backoff.next();
        assertTrue(capped.toMillis() >= 500, capped.toString());
        backoff.reset();
        assertTrue(backoff.next().toMillis() <= 100);
    }
}
