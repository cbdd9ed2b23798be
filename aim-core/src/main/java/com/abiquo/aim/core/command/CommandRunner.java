package com.abiquo.aim.core.command;

import com.abiquo.aim.core.error.AimException;
import com.abiquo.aim.core.error.CoreErrorReason;
import com.abiquo.aim.core.error.ErrorReason;
import io.grpc.Status;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * Runs system commands (ip, bridge, iscsiadm, ...) safely: an argument array and never a shell, so nothing a client
 * sends is ever interpreted; standard input closed; both outputs captured; a hard timeout after which the process
 * and the processes it started are ended ({@link ProcessTree}). Callers validate every name before it becomes an
 * argument.
 */
public class CommandRunner {
    private static final Duration KILL_GRACE = Duration.ofSeconds(2);

    /**
     * Runs the command and returns its result whatever the exit status.
     *
     * @throws AimException DEADLINE_EXCEEDED when it outlives the timeout, FAILED_PRECONDITION when the program
     *     cannot be started (not installed)
     */
    public CommandResult run(List<String> command, Duration timeout) throws AimException {
        if (command.isEmpty()) {
            throw new IllegalArgumentException("empty command");
        }
        ProcessBuilder builder = new ProcessBuilder(command).redirectInput(ProcessBuilder.Redirect.from(
                new java.io.File("/dev/null")));
        Map<String, String> environment = builder.environment();
        environment.put("LC_ALL", "C");
        Process process;
        try {
            process = builder.start();
        } catch (IOException failure) {
            throw new AimException(Status.Code.FAILED_PRECONDITION, CoreErrorReason.COMMAND_NOT_AVAILABLE,
                    "cannot run " + command.get(0) + ": " + failure.getMessage(), Map.of("command", command.get(0)),
                    failure);
        }
        Output stdout = drain(process.getInputStream());
        Output stderr = drain(process.getErrorStream());
        try {
            if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
                ProcessTree.end(process, KILL_GRACE);
                throw new AimException(Status.Code.DEADLINE_EXCEEDED, CoreErrorReason.COMMAND_TIMEOUT,
                        String.join(" ", command) + " did not finish within " + timeout.toMillis() + " ms",
                        Map.of("command", command.get(0)), null);
            }
            return new CommandResult(List.copyOf(command), process.exitValue(), stdout.awaitText(), stderr.awaitText());
        } catch (InterruptedException interrupted) {
            ProcessTree.kill(process);
            Thread.currentThread().interrupt();
            throw new AimException(Status.Code.CANCELLED, CoreErrorReason.COMMAND_INTERRUPTED,
                    String.join(" ", command) + " was interrupted", Map.of(), interrupted);
        } catch (ExecutionException failure) {
            throw AimException.internal(CoreErrorReason.COMMAND_OUTPUT_UNREADABLE,
                    "cannot read the output of " + command.get(0), failure.getCause());
        }
    }

    /**
     * Runs the command and fails unless it exits 0; the message carries the command's standard error.
     *
     * @param failureCode the status a non-zero exit becomes (the caller knows what a failure means)
     */
    public CommandResult runChecked(List<String> command, Duration timeout, Status.Code failureCode, ErrorReason reason)
            throws AimException {
        CommandResult result = run(command, timeout);
        if (!result.succeeded()) {
            String error = result.stderr().isBlank() ? result.stdout().strip() : result.stderr().strip();
            throw new AimException(failureCode, reason, String.join(" ", command) + " failed (exit "
                    + result.exitCode() + "): " + error, Map.of("command", command.get(0),
                    "exit_code", Integer.toString(result.exitCode())), null);
        }
        return result;
    }

    /**
     * One output stream being read to its end. A command that leaves a background child holding the pipe (a
     * daemon it started) never closes it: once the command itself exited, its output is taken after a short wait
     * instead of waiting for the child to end.
     */
    private static final class Output {
        private final ByteArrayOutputStream buffer = new ByteArrayOutputStream();
        private final CompletableFuture<Void> ended = new CompletableFuture<>();

        String awaitText() throws ExecutionException, InterruptedException {
            try {
                ended.get(KILL_GRACE.toMillis(), TimeUnit.MILLISECONDS);
            } catch (TimeoutException stillOpen) {
                // a background child keeps the pipe open: what the command wrote is there already
            }
            synchronized (buffer) {
                return buffer.toString(StandardCharsets.UTF_8);
            }
        }
    }

    private static Output drain(InputStream stream) {
        Output output = new Output();
        Thread thread = new Thread(() -> {
            byte[] chunk = new byte[8192];
            try (stream) {
                int read;
                while ((read = stream.read(chunk)) >= 0) {
                    synchronized (output.buffer) {
                        output.buffer.write(chunk, 0, read);
                    }
                }
                output.ended.complete(null);
            } catch (IOException failure) {
                output.ended.completeExceptionally(new UncheckedIOException(failure));
            }
        }, "command-output");
        thread.setDaemon(true);
        thread.start();
        return output;
    }
}
