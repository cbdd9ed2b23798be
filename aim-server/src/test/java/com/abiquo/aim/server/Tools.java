package com.abiquo.aim.server;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** Runs the real command-line tools the tests check AIM with (buf, openssl). */
final class Tools {
    private Tools() {
    }

    record Result(int exitCode, String output) {
    }

    static Path projectRoot() {
        String root = System.getProperty("aim.projectRoot");
        return root != null ? Path.of(root).toAbsolutePath().normalize() : Path.of("..").toAbsolutePath().normalize();
    }

    static Path buf() {
        Path buf = projectRoot().resolve("tools/buf/node_modules/.bin/buf");
        assertTrue(Files.isExecutable(buf), buf + " is missing: run scripts/setup (npm ci --prefix tools/buf)");
        return buf;
    }

    static Result run(Path workingFolder, List<String> command) throws IOException, InterruptedException {
        Process process = new ProcessBuilder(command).directory(workingFolder.toFile()).redirectErrorStream(true)
                .start();
        process.getOutputStream().close();
        byte[] output = process.getInputStream().readAllBytes();
        if (!process.waitFor(60, TimeUnit.SECONDS)) {
            process.destroyForcibly();
            throw new IOException("timed out: " + command);
        }
        return new Result(process.exitValue(), new String(output, StandardCharsets.UTF_8));
    }

    static Result buf(String... arguments) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>();
        command.add(buf().toString());
        command.addAll(List.of(arguments));
        return run(projectRoot(), command);
    }
}
