package com.abiquo.aim.rimp;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** A real file system mounted for a test (loop XFS, tmpfs), named after aim-rimp and unmounted on close. */
public final class LoopMount implements AutoCloseable {
    public final Path mountPoint;
    private final Path image;

    private LoopMount(Path mountPoint, Path image) {
        this.mountPoint = mountPoint;
        this.image = image;
    }

    /** An XFS (with reflinks, the mkfs.xfs default) in a sparse image file under folder. */
    public static LoopMount xfs(Path folder, long sizeBytes) throws Exception {
        Path image = folder.resolve("aim-rimp-xfs.img");
        Path point = Files.createDirectories(folder.resolve("aim-rimp-xfs"));
        TestFiles.run("truncate", "-s", Long.toString(sizeBytes), image.toString());
        TestFiles.run("mkfs.xfs", "-q", "-m", "reflink=1", image.toString());
        TestFiles.run("mount", "-o", "loop", image.toString(), point.toString());
        return new LoopMount(point, image);
    }

    /** A btrfs (reflinks) in a sparse image file under folder. */
    public static LoopMount btrfs(Path folder, long sizeBytes) throws Exception {
        Path image = folder.resolve("aim-rimp-btrfs.img");
        Path point = Files.createDirectories(folder.resolve("aim-rimp-btrfs"));
        TestFiles.run("truncate", "-s", Long.toString(sizeBytes), image.toString());
        TestFiles.run("mkfs.btrfs", "-q", image.toString());
        TestFiles.run("mount", "-o", "loop", image.toString(), point.toString());
        return new LoopMount(point, image);
    }

    /** A small tmpfs, to fill up for real. */
    public static LoopMount tmpfs(Path folder, long sizeBytes) throws Exception {
        Path point = Files.createDirectories(folder.resolve("aim-rimp-tmpfs"));
        TestFiles.run("mount", "-t", "tmpfs", "-o", "size=" + sizeBytes, "aim-rimp-tmpfs", point.toString());
        return new LoopMount(point, null);
    }

    @Override
    public void close() throws IOException {
        List<String> command = new ArrayList<>(List.of("umount", mountPoint.toString()));
        try {
            try {
                TestFiles.run(command.toArray(String[]::new));
            } catch (IOException busy) {
                TestFiles.run("umount", "-l", mountPoint.toString());
            }
        } catch (InterruptedException interrupted) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted while unmounting " + mountPoint, interrupted);
        }
        if (image != null) {
            Files.deleteIfExists(image);
        }
    }
}
