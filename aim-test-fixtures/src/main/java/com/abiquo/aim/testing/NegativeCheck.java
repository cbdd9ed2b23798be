package com.abiquo.aim.testing;

import java.time.Duration;

/**
 * A bounded negative check: that something does not happen within a window.
 *
 * <p>A test cannot prove that an event never comes; it can only watch for a while, so a check like this also passes
 * when the event is merely later than its window. Each caller therefore says, next to the call, why its window is
 * enough: typically the event, were the code wrong, would follow from something the test has already waited for
 * (a reply, a latch) within a small fraction of the window, or the same test waits for the positive case in far
 * less time on the same machine. Windows stay short (the suite's time is their sum), and a window is never a way
 * to wait for something to happen: that is {@link Waits}.
 *
 * <p>The check watches the whole window (every {@link Waits#POLL}) and fails as soon as the event is seen.
 */
public final class NegativeCheck {
    private NegativeCheck() {
    }

    /**
     * Fails if {@code happened} holds at any check during {@code window}.
     *
     * @param what the event that must not happen, as the failure should name it
     */
    public static void during(Duration window, String what, Condition happened) {
        if (!Waits.holdsWithin(window, Waits.POLL, happened)) {
            return; // the expected outcome: the event did not happen within the window
        }
        throw new AssertionError("bounded negative check failed: " + what + " (within " + window.toMillis()
                + " ms)");
    }
}
