package com.abiquo.aim.server;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** aimctl run as operators run it: its own JVM, its own output streams, its exit code. */
final class AimctlProcess {
    private AimctlProcess() {
    }

    record Result(int exitCode, String out, String err) {
    }

    static List<String> command(String... args) {
        List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java")
                .toString(), "-XX:TieredStopAtLevel=1", "-cp", System.getProperty("java.class.path"),
                "com.abiquo.aim.ctl.AimCtl"));
        command.addAll(List.of(args));
        return command;
    }

    static Result run(String... args) throws IOException, InterruptedException {
        Path out = Files.createTempFile("aimctl-out", ".txt");
        Path err = Files.createTempFile("aimctl-err", ".txt");
        try {
            Process process = new ProcessBuilder(command(args)).redirectOutput(out.toFile())
                    .redirectError(err.toFile()).redirectInput(ProcessBuilder.Redirect.from(new java.io.File(
                            "/dev/null"))).start();
            if (!process.waitFor(60, TimeUnit.SECONDS)) {
                process.destroyForcibly();
                throw new AssertionError("aimctl " + String.join(" ", args) + " did not end in 60 s");
            }
            return new Result(process.exitValue(), Files.readString(out, StandardCharsets.UTF_8),
                    Files.readString(err, StandardCharsets.UTF_8));
        } finally {
            Files.deleteIfExists(out);
            Files.deleteIfExists(err);
        }
    }

    /** Shell-quotes one argument (for script -qc). */
    static String quote(String argument) {
        return "'" + argument.replace("'", "'\\''") + "'";
    }
}
