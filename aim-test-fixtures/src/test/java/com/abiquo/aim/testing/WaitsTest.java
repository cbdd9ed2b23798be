package com.abiquo.aim.testing;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/** What the shared waits promise the tests that use them. */
class WaitsTest {
    private static final Duration LONG = Duration.ofSeconds(30);

    @Test
    void aWaitEndsAsSoonAsItsConditionHolds() {
        AtomicInteger checks = new AtomicInteger();
        long started = System.nanoTime();
        Waits.await("the third check", LONG, () -> checks.incrementAndGet() >= 3);
        assertTrue(System.nanoTime() - started < Duration.ofSeconds(5).toNanos());
        assertEquals(3, checks.get());
    }

    @Test
    void aTimeoutIsAnAssertionErrorNamingWhatWasAwaitedAndItsContext() {
        AssertionError timedOut = assertThrows(AssertionError.class, () -> Waits.await("the impossible",
                Duration.ofMillis(100), Waits.POLL, () -> false, () -> "the log says why"));
        assertEquals("timed out after 100 ms waiting for: the impossible\nthe log says why", timedOut.getMessage());
    }

    @Test
    void aConditionThatThrowsEndsTheWaitAtOnce() {
        long started = System.nanoTime();
        AssertionError failure = assertThrows(AssertionError.class, () -> Waits.await("a dead process", LONG,
                () -> {
                    throw new AssertionError("the process ended");
                }));
        assertEquals("the process ended", failure.getMessage());
        assertTrue(System.nanoTime() - started < Duration.ofSeconds(5).toNanos(), "it waited for the timeout");
    }

    @Test
    void awaitValueReturnsTheAcceptedValueAndNamesTheLastSeenOnATimeout() {
        AtomicInteger counter = new AtomicInteger();
        assertEquals(4, Waits.awaitValue("four", LONG, Waits.POLL, counter::incrementAndGet, value -> value == 4));
        AssertionError timedOut = assertThrows(AssertionError.class, () -> Waits.awaitValue("never",
                Duration.ofMillis(50), Waits.POLL, () -> "seven", "eight"::equals));
        assertTrue(timedOut.getMessage().endsWith("last seen: seven"), timedOut.getMessage());
    }

    @Test
    void holdsWithinSaysWhetherTheConditionHeldAndEndsAsSoonAsItDoes() {
        AtomicInteger checks = new AtomicInteger();
        long started = System.nanoTime();
        assertTrue(Waits.holdsWithin(LONG, Waits.POLL, () -> checks.incrementAndGet() >= 3));
        assertTrue(System.nanoTime() - started < Duration.ofSeconds(5).toNanos(), "it waited for the timeout");
        assertEquals(3, checks.get());
        started = System.nanoTime();
        assertFalse(Waits.holdsWithin(Duration.ofMillis(100), Waits.POLL, () -> false));
        assertTrue(System.nanoTime() - started >= Duration.ofMillis(100).toNanos(), "it gave up early");
    }

    @Test
    void aNegativeCheckPassesWhenNothingHappensDuringItsWindow() {
        long started = System.nanoTime();
        NegativeCheck.during(Duration.ofMillis(100), "something", () -> false);
        assertTrue(System.nanoTime() - started >= Duration.ofMillis(100).toNanos(), "it watched the whole window");
    }

    @Test
    void aNegativeCheckFailsAsSoonAsTheEventHappens() {
        long started = System.nanoTime();
        AssertionError failure = assertThrows(AssertionError.class,
                () -> NegativeCheck.during(LONG, "the forbidden event", () -> true));
        assertEquals("bounded negative check failed: the forbidden event (within 30000 ms)", failure.getMessage());
        assertTrue(System.nanoTime() - started < Duration.ofSeconds(5).toNanos(), "it waited for the window");
    }
}
