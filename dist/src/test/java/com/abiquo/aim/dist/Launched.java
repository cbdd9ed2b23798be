package com.abiquo.aim.dist;

import com.abiquo.aim.testing.OutputLines;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** A launched command whose merged output is collected line by line, plus helpers for the tests. */
final class Launched implements AutoCloseable {
    private static final Pattern LISTENING = Pattern.compile("listening on 127\\.0\\.0\\.1:(\\d+)");

    final Process process;
    final List<String> lines = new CopyOnWriteArrayList<>();
    private final Thread reader;

    private Launched(Process process) {
        this.process = process;
        this.reader = new Thread(this::read, "launched-output");
        reader.setDaemon(true);
        reader.start();
    }

    static Launched start(Path folder, Map<String, String> environment, String... command) throws IOException {
        ProcessBuilder builder = new ProcessBuilder(command).directory(folder.toFile()).redirectErrorStream(true);
        builder.environment().putAll(environment);
        Process process = builder.start();
        process.getOutputStream().close();
        return new Launched(process);
    }

    /** The .deb this build made (in {@code aim.dist.dir}). */
    static Path builtDeb() throws IOException {
        return built("abiquo-aim_.*_all\\.deb", "abiquo-aim_*_all.deb");
    }

    /** The .rpm this build made (in {@code aim.dist.dir}). */
    static Path builtRpm() throws IOException {
        return built("abiquo-aim-[0-9].*\\.noarch\\.rpm", "abiquo-aim-*.noarch.rpm");
    }

    /** The newest match: a snapshot .rpm's release holds the build time, so earlier builds' files may be there. */
    private static Path built(String pattern, String description) throws IOException {
        try (var files = Files.list(Path.of(System.getProperty("aim.dist.dir")))) {
            return files.filter(file -> file.getFileName().toString().matches(pattern))
                    .max(java.util.Comparator.comparing(file -> file.toFile().lastModified()))
                    .orElseThrow(() -> new AssertionError("no " + description + " built"));
        }
    }

    /** Runs to the end and returns the exit status; the output is in {@link #lines}. */
    static Launched run(Path folder, Map<String, String> environment, String... command) throws Exception {
        Launched launched = start(folder, environment, command);
        if (!launched.process.waitFor(120, TimeUnit.SECONDS)) {
            launched.close();
            throw new AssertionError("timed out: " + String.join(" ", command));
        }
        launched.reader.join(5000);
        return launched;
    }

    int exitCode() {
        return process.exitValue();
    }

    String output() {
        return String.join("\n", lines);
    }

    int waitForPort() {
        return Integer.parseInt(OutputLines.awaitMatch(lines, LISTENING, Duration.ofSeconds(60), process).group(1));
    }

    /** Sends SIGTERM and returns the exit status. */
    int terminate() throws Exception {
        signal("TERM", process.pid());
        if (!process.waitFor(60, TimeUnit.SECONDS)) {
            throw new AssertionError("AIM did not stop after SIGTERM:\n" + output());
        }
        reader.join(5000);
        return process.exitValue();
    }

    static void signal(String signal, long pid) throws Exception {
        Process kill = new ProcessBuilder("kill", "-" + signal, String.valueOf(pid)).inheritIO().start();
        if (kill.waitFor() != 0) {
            throw new AssertionError("kill -" + signal + " " + pid + " failed");
        }
    }

    /**
     * The development configuration (conf/aim-dev.ini) on port 0, in a folder of its own: everything it points
     * at (../run/...) is created under that folder, so nothing of this machine is touched. Only the sections and
     * keys that this build accepts (its --print-config-reference) are kept, so the test runs whichever modules
     * are built.
     */
    static Path devConfig(Path folder, String launcher) throws Exception {
        Launched reference = run(Path.of("/"), Map.of(), launcher, "--print-config-reference");
        if (reference.exitCode() != 0) {
            throw new AssertionError("--print-config-reference failed: " + reference.output());
        }
        Set<String> accepted = new HashSet<>();
        String current = "";
        for (String line : reference.lines) {
            Matcher section = Pattern.compile("^### \\[(.+)]$").matcher(line);
            Matcher key = Pattern.compile("^\\| `([^`]+)` \\|").matcher(line);
            if (section.find()) {
                current = section.group(1);
                accepted.add(current);
            } else if (key.find()) {
                accepted.add(current + "/" + key.group(1).toLowerCase(Locale.ROOT));
            }
        }
        Path projectRoot = Path.of(System.getProperty("aim.dist.dir")).getParent().getParent();
        StringBuilder text = new StringBuilder();
        String section = "";
        for (String line : Files.readAllLines(projectRoot.resolve("conf/aim-dev.ini"))) {
            String trimmed = line.strip();
            if (trimmed.startsWith("[")) {
                section = trimmed.substring(1, trimmed.indexOf(']'));
                if (accepted.contains(section)) {
                    text.append(line).append('\n');
                }
            } else if (!trimmed.isEmpty() && !trimmed.startsWith(";") && trimmed.contains("=")) {
                String key = trimmed.substring(0, trimmed.indexOf('=')).strip().toLowerCase(Locale.ROOT);
                if (accepted.contains(section + "/" + key)) {
                    text.append(switch (key) {
                        case "port" -> "port = 0";
                        case "namespace" -> "namespace = aimdist-absent-" + ProcessHandle.current().pid();
                        default -> line;
                    }).append('\n');
                }
            }
        }
        Path conf = Files.createDirectories(folder.resolve("conf"));
        Path run = folder.resolve("run");
        Files.createDirectories(run.resolve("repository"));
        Files.writeString(run.resolve("repository/.abiquo_repository"), "");
        Files.createDirectories(run.resolve("datastore"));
        Files.createDirectories(run.resolve("network-scripts"));
        Files.createDirectories(run.resolve("system-connections"));
        Files.writeString(run.resolve("initiatorname.iscsi"), "InitiatorName=iqn.2026-11.test.aim:dist\n");
        Path file = conf.resolve("aim.ini");
        Files.writeString(file, text);
        return file;
    }

    @Override
    public void close() {
        process.destroyForcibly();
    }

    private void read() {
        try (BufferedReader output = new BufferedReader(
                new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
            String line;
            while ((line = output.readLine()) != null) {
                lines.add(line);
            }
        } catch (IOException ended) {
            // process gone
        }
    }
}
