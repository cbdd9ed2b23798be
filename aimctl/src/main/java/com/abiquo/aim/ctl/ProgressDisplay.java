package com.abiquo.aim.ctl;

import com.abiquo.aim.client.CopyProgressListener;
import java.io.PrintWriter;
import java.util.Locale;

/**
 * Shows a copy's progress: on a terminal a bar redrawn in place (bytes, rate, time left); otherwise (a pipe, a
 * log) a plain line at most every few seconds.
 */
final class ProgressDisplay implements CopyProgressListener {
    private static final int BAR_WIDTH = 30;
    private static final long PLAIN_EVERY_NANOS = 5_000_000_000L;

    private final PrintWriter err;
    private final String label;
    private final boolean terminal;
    private long lastPlainNanos;
    private boolean drawn;

    ProgressDisplay(PrintWriter err, String label, boolean terminal) {
        this.err = err;
        this.label = label;
        this.terminal = terminal;
    }

    /** True when aimctl's output is a terminal (System.console() needs both stdin and stdout on one). */
    static boolean onTerminal() {
        String forced = System.getenv("AIMCTL_PROGRESS");
        if (forced != null) {
            return forced.equals("bar");
        }
        return System.console() != null;
    }

    @Override
    public synchronized void onProgress(long done, long total, long bytesPerSecond) {
        if (terminal) {
            err.print("\r" + bar(done, total, bytesPerSecond) + "\u001b[K");
            err.flush();
            drawn = true;
            return;
        }
        long now = System.nanoTime();
        if (done < total && lastPlainNanos != 0 && now - lastPlainNanos < PLAIN_EVERY_NANOS) {
            return;
        }
        lastPlainNanos = now;
        err.println(label + ": " + done + " of " + total + " bytes (" + percent(done, total) + "%), "
                + Bytes.human(bytesPerSecond) + "/s" + timeLeft(done, total, bytesPerSecond));
        err.flush();
    }

    /** Ends the bar's line, so what follows starts on its own. */
    synchronized void finish() {
        if (drawn) {
            err.println();
            err.flush();
        }
    }

    String bar(long done, long total, long bytesPerSecond) {
        int filled = total == 0 ? BAR_WIDTH : (int) (BAR_WIDTH * Math.min(1.0, (double) done / total));
        return String.format(Locale.ROOT, "%s [%s%s] %3d%% %s / %s  %s/s%s", label, "#".repeat(filled),
                ".".repeat(BAR_WIDTH - filled), percent(done, total), Bytes.human(done), Bytes.human(total),
                Bytes.human(bytesPerSecond), timeLeft(done, total, bytesPerSecond));
    }

    private static int percent(long done, long total) {
        return total == 0 ? 100 : (int) Math.min(100, done * 100 / total);
    }

    private static String timeLeft(long done, long total, long bytesPerSecond) {
        if (done >= total) {
            return ", done";
        }
        if (bytesPerSecond <= 0) {
            return "";
        }
        return ", " + Bytes.duration((total - done + bytesPerSecond - 1) / bytesPerSecond) + " left";
    }
}
