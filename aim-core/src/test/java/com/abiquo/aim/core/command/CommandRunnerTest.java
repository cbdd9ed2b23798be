package com.abiquo.aim.core.command;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.abiquo.aim.core.error.AimException;
import com.abiquo.aim.core.error.CoreErrorReason;
import io.grpc.Status;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Real processes: exit codes, both outputs, no shell, timeouts, missing programs. */
class CommandRunnerTest {
    private final CommandRunner runner = new CommandRunner();

    @Test
    void capturesExitCodeAndBothOutputs() throws Exception {
        CommandResult result = runner.run(List.of("sh", "-c", "echo out; echo err >&2; exit 3"),
                Duration.ofSeconds(10));
        assertEquals(3, result.exitCode());
        assertFalse(result.succeeded());
        assertEquals("out\n", result.stdout());
        assertEquals("err\n", result.stderr());
    }

    @Test
    void argumentsAreNeverInterpretedByAShell() throws Exception {
        CommandResult result = runner.run(List.of("echo", "$(id)", ";", "rm", "-rf", "/", "`x`"),
                Duration.ofSeconds(10));
        assertEquals("$(id) ; rm -rf / `x`\n", result.stdout());
    }

    @Test
    void standardInputIsClosedAndTheLocaleIsC() throws Exception {
        CommandResult cat = runner.run(List.of("cat"), Duration.ofSeconds(10));
        assertEquals(0, cat.exitCode());
        assertEquals("", cat.stdout());
        assertEquals("C\n", runner.run(List.of("sh", "-c", "echo $LC_ALL"), Duration.ofSeconds(10)).stdout());
    }

    @Test
    void aCommandThatOutlivesItsTimeoutIsKilled() {
        long begin = System.nanoTime();
        AimException error = assertThrows(AimException.class,
                () -> runner.run(List.of("sleep", "30"), Duration.ofMillis(300)));
        assertEquals(Status.Code.DEADLINE_EXCEEDED, error.code());
        assertEquals("COMMAND_TIMEOUT", error.reason().name());
        assertEquals("sleep 30 did not finish within 300 ms", error.getMessage());
        assertTrue(System.nanoTime() - begin < Duration.ofSeconds(10).toNanos());
    }

    @Test
    void aTimedOutCommandsChildrenAreKilledWithIt() throws Exception {
        String marker = "61." + System.nanoTime() % 100000; // a sleep no other process runs
        AimException error = assertThrows(AimException.class,
                () -> runner.run(List.of("sh", "-c", "sleep " + marker + " | cat"), Duration.ofMillis(500)));
        assertEquals(Status.Code.DEADLINE_EXCEEDED, error.code());
        // the kill is asynchronous: wait for the process table to say so (Awaitility directly: aim-core's tests
        // cannot use aim-test-fixtures, which depends on aim-core)
        await("the pipeline's sleep to die with the timed-out command").atMost(Duration.ofSeconds(5))
                .pollDelay(Duration.ZERO).pollInterval(Duration.ofMillis(50)).until(() -> sleepsWith(marker) == 0);
    }

    /**
     * A command that ignores SIGTERM and starts a child every 20 ms through its grace: every child dies with it,
     * those born after the timeout included (listing the children once, before the signal, missed those).
     */
    @Test
    void aTimedOutCommandThatKeepsStartingChildrenLeavesNoneBehind() throws Exception {
        String marker = "62." + System.nanoTime() % 100000;
        AimException error = assertThrows(AimException.class, () -> runner.run(List.of("sh", "-c",
                "trap '' TERM; while :; do sleep " + marker + " & sleep 0.02; done"), Duration.ofMillis(500)));
        assertEquals(Status.Code.DEADLINE_EXCEEDED, error.code());
        await("every child of the timed-out command to die").atMost(Duration.ofSeconds(5))
                .pollDelay(Duration.ZERO).pollInterval(Duration.ofMillis(50)).until(() -> sleepsWith(marker) == 0);
    }

    private static long sleepsWith(String marker) {
        return ProcessHandle.allProcesses().filter(process -> process.info().commandLine()
                .map(line -> line.contains("sleep " + marker)).orElse(false)).count();
    }

    /** A command that starts a daemon returns when the command ends, not when the daemon (holding the pipe) does. */
    @Test
    void aBackgroundChildHoldingTheOutputOpenDoesNotHangTheCaller() throws Exception {
        long begin = System.nanoTime();
        CommandResult result = runner.run(List.of("sh", "-c", "sleep 20 & echo started"), Duration.ofSeconds(10));
        long seconds = Duration.ofNanos(System.nanoTime() - begin).toSeconds();
        assertEquals(0, result.exitCode());
        assertEquals("started\n", result.stdout());
        assertTrue(seconds < 8, "waited " + seconds + " s for a pipe a background child kept open");
    }

    @Test
    void aMissingProgramIsAFailedPrecondition() {
        AimException error = assertThrows(AimException.class,
                () -> runner.run(List.of("aimcore-no-such-program"), Duration.ofSeconds(5)));
        assertEquals(Status.Code.FAILED_PRECONDITION, error.code());
        assertEquals("COMMAND_NOT_AVAILABLE", error.reason().name());
        assertTrue(error.getMessage().startsWith("cannot run aimcore-no-such-program"), error.getMessage());
    }

    @Test
    void runCheckedTurnsAFailureIntoTheCallersStatusWithStandardError() {
        AimException error = assertThrows(AimException.class, () -> runner.runChecked(
                List.of("sh", "-c", "echo 'Cannot find device \"abiquo_9\"' >&2; exit 1"), Duration.ofSeconds(10),
                Status.Code.NOT_FOUND, CoreErrorReason.COMMAND_NOT_AVAILABLE));
        assertEquals(Status.Code.NOT_FOUND, error.code());
        assertEquals("COMMAND_NOT_AVAILABLE", error.reason().name());
        assertTrue(error.getMessage().endsWith("failed (exit 1): Cannot find device \"abiquo_9\""), error.getMessage());
        assertEquals("1", error.metadata().get("exit_code"));
    }

    @Test
    void anEmptyCommandIsAProgrammingError() {
        assertThrows(IllegalArgumentException.class, () -> runner.run(List.of(), Duration.ofSeconds(1)));
    }
}
