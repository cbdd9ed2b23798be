package com.abiquo.aim.core.command;

import com.sun.jna.Library;
import com.sun.jna.Native;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Collection;
import java.util.Deque;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.Logger;

/**
 * Ends a command and the processes it started that are still its descendants (an ifup script's ip, a pipeline).
 * Listing the children of a process that still runs races its next fork: a child born after the listing outlives
 * its parent as init's, out of reach, still running and holding the output pipes open. So each process is stopped
 * (SIGSTOP) before its children are listed: a stopped process forks no more, and a fork that was under way when the
 * signal came either shows in the listing or fails. What had already left the tree when the command timed out (a
 * daemon's double fork, the children of a process that had exited) is not chased.
 */
final class ProcessTree {
    private static final Logger LOG = LogManager.getLogger(ProcessTree.class);

    /** Linux's numbers on x86_64 and aarch64 (the architectures AIM is packaged for). */
    private static final int SIGTERM = 15;
    private static final int SIGCONT = 18;
    private static final int SIGSTOP = 19;

    private static final long EXIT_POLL_MILLIS = 20;

    private interface Signals extends Library {
        int kill(int pid, int signal);
    }

    /** libc's kill(2), loaded on the first timeout; null where JNA cannot load (then: no stopping, see signal). */
    private static final class Libc {
        static final Signals SIGNALS = load();

        private static Signals load() {
            try {
                return Native.load("c", Signals.class);
            } catch (LinkageError unavailable) {
                LOG.warn("Cannot send SIGSTOP (JNA: {}): a timed-out command's children are listed without being "
                        + "stopped first, and one it forks meanwhile may outlive it", unavailable.toString());
                return null;
            }
        }
    }

    private ProcessTree() {
    }

    /**
     * Asks the whole tree to end (SIGTERM, then SIGCONT so that a stopped process acts on it), waits up to
     * {@code grace} for all of it to exit, then kills whatever is left, stopping it first the same way. Interrupted,
     * it kills the tree at once and throws.
     */
    static void end(Process command, Duration grace) throws InterruptedException {
        Set<ProcessHandle> tree = stop(List.of(command.toHandle()));
        tree.forEach(process -> signal(process, SIGTERM));
        tree.forEach(process -> signal(process, SIGCONT));
        try {
            awaitExit(command, tree, grace);
        } finally {
            kill(tree);
        }
    }

    /** Kills the tree at once (SIGKILL), stopping it first. */
    static void kill(Process command) {
        kill(List.of(command.toHandle()));
    }

    private static void awaitExit(Process command, Set<ProcessHandle> tree, Duration grace)
            throws InterruptedException {
        long deadline = System.nanoTime() + grace.toNanos();
        command.waitFor(grace.toMillis(), TimeUnit.MILLISECONDS);
        // the others are not this JVM's children: their exits can only be polled
        while (tree.stream().anyMatch(ProcessHandle::isAlive) && System.nanoTime() < deadline) {
            Thread.sleep(EXIT_POLL_MILLIS);
        }
    }

    private static void kill(Collection<ProcessHandle> roots) {
        stop(roots.stream().filter(ProcessHandle::isAlive).toList()).forEach(ProcessHandle::destroyForcibly);
    }

    /** Stops the given processes and all their descendants, parents before children: the ones it stopped. */
    private static Set<ProcessHandle> stop(Collection<ProcessHandle> roots) {
        Set<ProcessHandle> stopped = new LinkedHashSet<>();
        Deque<ProcessHandle> pending = new ArrayDeque<>(roots);
        while (!pending.isEmpty()) {
            ProcessHandle next = pending.pop();
            if (!stopped.contains(next) && signal(next, SIGSTOP)) {
                stopped.add(next);
                next.children().forEach(pending::push);
            }
        }
        return stopped;
    }

    /** Whether the signal reached the process: false when it is gone. */
    private static boolean signal(ProcessHandle process, int signal) {
        Signals signals = Libc.SIGNALS;
        if (signals == null) {
            // without kill(2): SIGTERM through ProcessHandle, no stopping (the race this class is for stays open)
            if (signal == SIGTERM) {
                process.destroy();
            }
            return process.isAlive();
        }
        // ProcessHandle checks the start time: a pid is only this process's while it lives
        if (!process.isAlive() || signals.kill((int) process.pid(), signal) != 0) {
            return false;
        }
        if (signal == SIGSTOP && !process.isAlive()) {
            // it exited and its pid was taken by another process between the check and the signal: let that one go on
            signals.kill((int) process.pid(), SIGCONT);
            return false;
        }
        return true;
    }
}
