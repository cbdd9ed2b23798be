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

/**
 * Ends a command and every process it started (an ifup script's ip, a pipeline). Listing the children of a process
 * that still runs races its next fork: a child born after the listing outlives its parent as init's, out of reach,
 * still running and holding the output pipes open. So each process is stopped (SIGSTOP) before its children are
 * listed: a stopped process forks no more, and a fork that was under way when the signal came either shows in the
 * listing or fails. A process that left the tree on purpose (a daemon's double fork) is not chased.
 */
final class ProcessTree {
    /** Linux's numbers on x86_64 and aarch64 (the architectures AIM is packaged for). */
    private static final int SIGTERM = 15;
    private static final int SIGCONT = 18;
    private static final int SIGSTOP = 19;

    private interface Signals extends Library {
        Signals LIBC = Native.load("c", Signals.class);

        int kill(int pid, int signal);
    }

    private ProcessTree() {
    }

    /**
     * Asks the whole tree to end (SIGTERM, then SIGCONT so that a stopped process acts on it), waits up to
     * {@code grace} for the command itself, then kills whatever of the tree is left, stopping it first the same way.
     */
    static void end(Process command, Duration grace) throws InterruptedException {
        Set<ProcessHandle> tree = stop(List.of(command.toHandle()));
        tree.forEach(process -> signal(process, SIGTERM));
        tree.forEach(process -> signal(process, SIGCONT));
        command.waitFor(grace.toMillis(), TimeUnit.MILLISECONDS);
        kill(tree);
    }

    /** Kills the tree at once (SIGKILL), stopping it first. */
    static void kill(Process command) {
        kill(List.of(command.toHandle()));
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

    /** Whether the signal was sent: false when the process is gone already. */
    private static boolean signal(ProcessHandle process, int signal) {
        // isAlive first: a pid is only this process's while it lives (ProcessHandle checks the start time)
        return process.isAlive() && Signals.LIBC.kill((int) process.pid(), signal) == 0;
    }
}
