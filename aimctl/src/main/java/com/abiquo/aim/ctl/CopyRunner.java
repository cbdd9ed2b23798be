package com.abiquo.aim.ctl;

import com.abiquo.aim.client.CopyOperation;
import java.time.Duration;
import java.util.concurrent.TimeoutException;

/** Waits for a copy; Ctrl-C cancels it on the agent (which then leaves nothing behind). */
final class CopyRunner {
    private CopyRunner() {
    }

    static <T> T await(CopyOperation<T> copy, ProgressDisplay display) throws InterruptedException {
        Thread cancelOnInterrupt = new Thread(copy::cancel, "aimctl-cancel");
        Runtime.getRuntime().addShutdownHook(cancelOnInterrupt);
        try {
            return copy.await(Duration.ofDays(7));
        } catch (TimeoutException impossible) {
            copy.cancel();
            throw new IllegalStateException("the copy did not end in 7 days", impossible);
        } finally {
            display.finish();
            try {
                Runtime.getRuntime().removeShutdownHook(cancelOnInterrupt);
            } catch (IllegalStateException shuttingDown) {
                // the hook runs: the copy is being cancelled
            }
        }
    }
}
