package com.abiquo.aim.server;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.util.List;

/** Collects a started AIM process's output, line by line, on a daemon thread (tests read the list). */
final class ProcessOutput {
    private ProcessOutput() {
    }

    /** @return the reader, which ends when the process closes its output */
    static Thread follow(Process process, List<String> log, String threadName) {
        Thread reader = new Thread(() -> {
            try (BufferedReader lines = new BufferedReader(
                    new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
                String line;
                while ((line = lines.readLine()) != null) {
                    log.add(line);
                }
            } catch (IOException ended) {
                // the process is gone
            }
        }, threadName);
        reader.setDaemon(true);
        reader.start();
        return reader;
    }
}
