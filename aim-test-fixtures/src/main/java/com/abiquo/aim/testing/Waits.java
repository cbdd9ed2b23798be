package com.abiquo.aim.testing;

import java.time.Duration;
import java.util.concurrent.Callable;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Predicate;
import org.awaitility.Awaitility;
import org.awaitility.core.ConditionFactory;
import org.awaitility.core.ConditionTimeoutException;

/**
 * Waits on a condition, never for a fixed time: a wait ends as soon as its condition holds, and its bound is only
 * how long a slow (loaded, two-core CI) machine may take before the test gives up. Built on Awaitility; a timeout
 * is an {@link AssertionError} naming what was awaited (and, where given, the context a reader needs: a process's
 * log, the last value seen). An exception thrown by the condition ends the wait at once: a condition throws when
 * waiting longer is pointless (the process it waits on has died).
 *
 * <p>To check that something does <em>not</em> happen, use {@link NegativeCheck}, not a wait.
 */
public final class Waits {
    /** Polling interval for cheap conditions (a field, a map, a file's existence). */
    public static final Duration POLL = Duration.ofMillis(10);

    private Waits() {
    }

    /** Waits up to {@code timeout} until {@code condition} holds, checking every {@link #POLL}. */
    public static void await(String what, Duration timeout, Condition condition) {
        await(what, timeout, POLL, condition, () -> "");
    }

    /** As {@link #await(String, Duration, Condition)}, checking every {@code poll}: for costly conditions. */
    public static void await(String what, Duration timeout, Duration poll, Condition condition) {
        await(what, timeout, poll, condition, () -> "");
    }

    /** As {@link #await(String, Duration, Duration, Condition)}; a timeout adds {@code context} to its message. */
    public static void await(String what, Duration timeout, Duration poll, Condition condition,
            Callable<String> context) {
        try {
            factory(what, timeout, poll).until(condition::holds);
        } catch (ConditionTimeoutException timedOut) {
            throw timeout(what, timeout, timedOut, context);
        }
    }

    /**
     * Waits up to {@code timeout} until {@code condition} holds and says whether it does: for a caller whose own
     * assertion names what it expected ({@code assertTrue(sink.awaitEvents(...), "got " + events)}), or that goes
     * on either way. An exception thrown by the condition still ends the wait at once, and is thrown.
     */
    public static boolean holdsWithin(Duration timeout, Duration poll, Condition condition) {
        try {
            factory("a condition", timeout, poll).until(condition::holds);
            return true;
        } catch (ConditionTimeoutException timedOut) {
            return false;
        }
    }

    /**
     * Waits until {@code value} returns something {@code accepted}, and returns it (a log line, a port, a list of
     * files); a timeout names the last value seen.
     */
    public static <T> T awaitValue(String what, Duration timeout, Duration poll, Callable<T> value,
            Predicate<? super T> accepted) {
        AtomicReference<T> last = new AtomicReference<>();
        return awaitValue(what, timeout, poll, value, accepted, last, () -> "last seen: " + last.get());
    }

    /** As {@link #awaitValue(String, Duration, Duration, Callable, Predicate)}, with a timeout's context. */
    public static <T> T awaitValue(String what, Duration timeout, Duration poll, Callable<T> value,
            Predicate<? super T> accepted, Callable<String> context) {
        return awaitValue(what, timeout, poll, value, accepted, new AtomicReference<>(), context);
    }

    private static <T> T awaitValue(String what, Duration timeout, Duration poll, Callable<T> value,
            Predicate<? super T> accepted, AtomicReference<T> last, Callable<String> context) {
        try {
            return factory(what, timeout, poll).until(() -> {
                T current = value.call();
                last.set(current);
                return current;
            }, accepted::test);
        } catch (ConditionTimeoutException timedOut) {
            throw timeout(what, timeout, timedOut, context);
        }
    }

    private static ConditionFactory factory(String what, Duration timeout, Duration poll) {
        return Awaitility.await(what).atMost(timeout).pollDelay(Duration.ZERO).pollInterval(poll);
    }

    private static AssertionError timeout(String what, Duration timeout, ConditionTimeoutException cause,
            Callable<String> context) {
        String detail;
        try {
            detail = context.call();
        } catch (Exception unavailable) {
            detail = "(context unavailable: " + unavailable + ")";
        }
        return new AssertionError("timed out after " + timeout.toMillis() + " ms waiting for: " + what
                + (detail.isEmpty() ? "" : "\n" + detail), cause);
    }
}
