package com.abiquo.aim.rimp;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Random;
import java.util.concurrent.TimeUnit;

/** Real files for tests: dense and sparse images, and what the system (stat, sha256sum) says about them. */
public final class TestFiles {
    private TestFiles() {
    }

    public static Path dense(Path file, long size, long seed) throws IOException {
        Files.createDirectories(file.getParent());
        Random random = new Random(seed);
        byte[] block = new byte[1 << 20];
        try (RandomAccessFile out = new RandomAccessFile(file.toFile(), "rw")) {
            long written = 0;
            while (written < size) {
                random.nextBytes(block);
                int length = (int) Math.min(block.length, size - written);
                out.write(block, 0, length);
                written += length;
            }
        }
        return file;
    }

    /** A sparse file of the given size with dataBlocks random 1 MiB blocks spread evenly (first and last included). */
    public static Path sparse(Path file, long size, int dataBlocks, long seed) throws IOException {
        Files.createDirectories(file.getParent());
        Random random = new Random(seed);
        byte[] block = new byte[1 << 20];
        try (RandomAccessFile out = new RandomAccessFile(file.toFile(), "rw")) {
            out.setLength(size);
            long step = dataBlocks > 1 ? (size - block.length) / (dataBlocks - 1) : 0;
            for (int i = 0; i < dataBlocks; i++) {
                random.nextBytes(block);
                long offset = (i * step) / 4096 * 4096;
                out.seek(offset);
                out.write(block);
            }
        }
        return file;
    }

    /** Bytes allocated according to stat(1) (st_blocks x 512): an independent check of sparseness. */
    public static long allocatedByStat(Path file) throws IOException, InterruptedException {
        return Long.parseLong(run("stat", "-c", "%b", file.toString()).strip()) * 512;
    }

    public static String sha256sum(Path file) throws IOException, InterruptedException {
        return run("sha256sum", file.toString()).split("\\s+")[0];
    }

    public static String run(String... command) throws IOException, InterruptedException {
        Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
        String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!process.waitFor(60, TimeUnit.SECONDS) || process.exitValue() != 0) {
            throw new IOException(String.join(" ", command) + " failed: " + output);
        }
        return output;
    }

    /**
     * Names of files in a folder tree, for "nothing left behind" checks. A file removed while the tree is listed (a
     * temporary being cleaned up as a test waits for that) makes the walk fail: the tree is listed again.
     */
    public static java.util.List<String> names(Path folder) throws IOException {
        while (true) {
            try (var stream = Files.walk(folder)) {
                return stream.map(p -> folder.relativize(p).toString()).sorted().toList();
            } catch (java.io.UncheckedIOException failure) {
                if (!(failure.getCause() instanceof java.nio.file.NoSuchFileException)
                        || failure.getCause().getMessage().equals(folder.toString())) {
                    throw failure;
                }
            }
        }
    }
}
