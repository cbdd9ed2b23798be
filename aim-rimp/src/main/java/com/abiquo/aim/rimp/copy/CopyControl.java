package com.abiquo.aim.rimp.copy;

import static java.util.Objects.requireNonNull;

import com.abiquo.aim.core.error.AimException;

/**
 * The link between a running copy and whoever asked for it: progress goes out, cancellation comes in. A cancelled
 * copy stops between two chunks, removes its temporary and fails with the reason given to {@link #cancel}.
 */
public final class CopyControl {
    private final ProgressListener listener;
    private volatile AimException cancelReason;

    public CopyControl(ProgressListener listener) {
        this.listener = requireNonNull(listener, "listener is null");
    }

    public static CopyControl none() {
        return new CopyControl(ProgressListener.NONE);
    }

    /** Asks the copy to stop; the first reason wins. Safe from any thread. */
    public void cancel(AimException reason) {
        if (cancelReason == null) {
            cancelReason = requireNonNull(reason, "reason is null");
        }
    }

    public boolean cancelled() {
        return cancelReason != null;
    }

    /** Throws the cancel reason if the copy was cancelled; callers check before steps that cannot be undone. */
    public void checkCancelled() throws AimException {
        AimException reason = cancelReason;
        if (reason != null) {
            throw reason;
        }
    }

    void progress(long done, long total, long bytesPerSecond) {
        listener.progress(done, total, bytesPerSecond);
    }
}
