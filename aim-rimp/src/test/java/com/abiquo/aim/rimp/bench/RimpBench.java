package com.abiquo.aim.rimp.bench;

import com.abiquo.aim.rimp.server.RimpServerHarness;
import com.abiquo.aim.v1.CopyFromRepositoryToDatastoreRequest;
import com.abiquo.aim.v1.CopyFromRepositoryToDatastoreResponse;
import com.abiquo.aim.v1.RimpCopyResult;
import com.abiquo.aim.v1.RimpServiceGrpc;
import io.grpc.ManagedChannel;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;

/**
 * The benchmark behind scripts/bench-rimp (not a test): deploys through the real gRPC API (RimpService on Netty
 * over loopback) against cp on the same files in the same run, cold cache for both (sync + drop_caches before every
 * run) unless -Dwarm=true. Prints medians and ratios.
 *
 * <p>Usage: RimpBench WORK_FOLDER XFS_MOUNT_POINT|- RUNS
 */
public final class RimpBench {
    private static boolean warm = Boolean.getBoolean("warm");

    private RimpBench() {
    }

    public static void main(String[] args) throws Exception {
        Path work = Path.of(args[0]).toAbsolutePath();
        Path xfs = args[1].equals("-") ? null : Path.of(args[1]).toAbsolutePath();
        int runs = Integer.parseInt(args[2]);
        System.out.printf(Locale.ROOT, "cache: %s; %d runs each, median; %s%n",
                warm ? "warm (source read once before each run)" : "cold (sync; drop_caches before every run)",
                runs, run("cp", "--version").lines().findFirst().orElse("cp"));
        compare("1 GiB dense, ext4 -> ext4", work, "dense-1g.raw", runs, List.of("cp"),
                List.of("cp", "--sparse=always"));
        compare("4 GiB, 400 MiB data, ext4 -> ext4", work, "sparse-4g.raw", runs,
                List.of("cp", "--sparse=always"), List.of("cp"));
        if (xfs != null) {
            compare("4 GiB dense, XFS -> same XFS (reflink)", xfs, "dense-4g.raw", runs,
                    List.of("cp", "--reflink=always"), List.of());
        }
    }

    /** One scenario, with its own RimpService (repository and datastore under root) on Netty over loopback. */
    private static void compare(String title, Path root, String image, int runs, List<String> peer,
                                List<String> other) throws Exception {
        Path repository = root.resolve("repository");
        Path datastore = Files.createDirectories(root.resolve("datastore"));
        Path config = Files.writeString(root.resolve("aim-bench.ini"), "[rimp]\nrepository = " + repository
                + "\ndatastores = " + datastore + "\n");
        try (RimpServerHarness server = RimpServerHarness.netty(Files.readString(config), root, 0)) {
            ManagedChannel channel = NettyChannelBuilder.forAddress("127.0.0.1", server.port()).usePlaintext()
                    .build();
            try {
                compare(RimpServiceGrpc.newBlockingStub(channel), title, repository, image, datastore, runs, peer,
                        other);
            } finally {
                channel.shutdownNow();
            }
        }
    }

    private static void compare(RimpServiceGrpc.RimpServiceBlockingStub stub, String title, Path repository,
                                String image, Path datastore, int runs, List<String> peer, List<String> other)
            throws Exception {
        Path source = repository.resolve(image);
        Path target = datastore.resolve("bench-vm");
        Path cpTarget = datastore.resolve("bench-cp");
        Files.deleteIfExists(target);
        Files.deleteIfExists(cpTarget);
        List<Double> aim = new ArrayList<>();
        List<Double> aimServer = new ArrayList<>();
        List<Double> peerTimes = new ArrayList<>();
        List<Double> peerSync = new ArrayList<>();
        List<Double> otherTimes = new ArrayList<>();
        RimpCopyResult[] last = new RimpCopyResult[1];
        String[] aimDu = new String[1];
        String[] cpDu = new String[1];
        for (int i = 0; i < runs; i++) {
            // every timed run starts the same way: the previous result just deleted, sync, caches dropped;
            // and AIM and cp take turns at going first
            Runnable aimRun = () -> unchecked(() -> {
                prepare(source);
                long started = System.nanoTime();
                Iterator<CopyFromRepositoryToDatastoreResponse> stream = stub.copyFromRepositoryToDatastore(
                        CopyFromRepositoryToDatastoreRequest.newBuilder().setRepositoryPath(source.toString())
                                .setDatastorePath(datastore.toString()).setVmUuid("bench-vm").build());
                while (stream.hasNext()) {
                    CopyFromRepositoryToDatastoreResponse message = stream.next();
                    if (message.hasResult()) {
                        last[0] = message.getResult();
                    }
                }
                aim.add(seconds(started));
                aimServer.add(last[0].getDuration().getSeconds() + last[0].getDuration().getNanos() / 1e9);
                aimDu[0] = run("du", "-k", target.toString()).split("\\s")[0];
                Files.delete(target);
            });
            Runnable cpRun = () -> unchecked(() -> {
                prepare(source);
                List<String> command = new ArrayList<>(peer);
                command.add(source.toString());
                command.add(cpTarget.toString());
                long started = System.nanoTime();
                run(command.toArray(String[]::new));
                peerTimes.add(seconds(started));
                run("sync", cpTarget.toString()); // fsync, as AIM does before its rename
                peerSync.add(seconds(started));
                cpDu[0] = run("du", "-k", cpTarget.toString()).split("\\s")[0];
                Files.delete(cpTarget);
            });
            if (i % 2 == 0) {
                aimRun.run();
                cpRun.run();
            } else {
                cpRun.run();
                aimRun.run();
            }
            if (!other.isEmpty()) {
                prepare(source);
                List<String> command = new ArrayList<>(other);
                command.add(source.toString());
                command.add(cpTarget.toString());
                long started = System.nanoTime();
                run(command.toArray(String[]::new));
                otherTimes.add(seconds(started));
                Files.delete(cpTarget);
            }
        }
        System.out.printf(Locale.ROOT, "%n%s (apparent %d MiB; source du %s KiB)%n", title,
                Files.size(source) >> 20, run("du", "-k", source.toString()).split("\\s")[0]);
        System.out.printf(Locale.ROOT, "  AIM deploy (gRPC, %s): %8.3f s   du %s KiB%n",
                last[0].getMethod().name().replace("RIMP_COPY_METHOD_", ""), median(aim), aimDu[0]);
        System.out.printf(Locale.ROOT, "  %-32s %8.3f s   du %s KiB   AIM/this = %.2f%n",
                String.join(" ", peer) + ":", median(peerTimes), cpDu[0], median(aim) / median(peerTimes));
        System.out.printf(Locale.ROOT, "  %-32s %8.3f s              AIM/this = %.2f%n",
                String.join(" ", peer) + " + sync FILE:", median(peerSync), median(aim) / median(peerSync));
        if (!other.isEmpty()) {
            System.out.printf(Locale.ROOT, "  %-32s %8.3f s%n", String.join(" ", other) + ":", median(otherTimes));
        }
        System.out.printf(Locale.ROOT, "  runs (s): AIM %s%n            AIM server-side %s%n            cp %s%n"
                + "            cp+sync %s%n", fmt(aim), fmt(aimServer), fmt(peerTimes), fmt(peerSync));
    }

    private interface Step {
        void run() throws Exception;
    }

    private static void unchecked(Step step) {
        try {
            step.run();
        } catch (Exception failure) {
            throw new IllegalStateException(failure);
        }
    }

    private static String fmt(List<Double> values) {
        return values.stream().map(value -> String.format(Locale.ROOT, "%.3f", value)).toList().toString();
    }

    /** Brings the disk and the caches to the chosen state. */
    private static void prepare(Path source) throws Exception {
        run("sync");
        Thread.sleep(500); // let the journal commit and the discards of the deleted result settle
        if (warm) {
            run("cat", source.toString()); // output discarded by run()
        } else {
            Files.writeString(Path.of("/proc/sys/vm/drop_caches"), "3\n");
        }
    }

    private static double seconds(long startedNanos) {
        return (System.nanoTime() - startedNanos) / 1e9;
    }

    private static double median(List<Double> values) {
        List<Double> sorted = values.stream().sorted().toList();
        return sorted.get(sorted.size() / 2);
    }

    private static String run(String... command) throws IOException, InterruptedException {
        Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
        byte[] output = command[0].equals("cat") ? new byte[0] : process.getInputStream().readAllBytes();
        if (command[0].equals("cat")) {
            process.getInputStream().transferTo(java.io.OutputStream.nullOutputStream());
        }
        if (process.waitFor() != 0) {
            throw new IOException(String.join(" ", command) + " failed: " + new String(output,
                    StandardCharsets.UTF_8));
        }
        return new String(output, StandardCharsets.UTF_8);
    }
}
