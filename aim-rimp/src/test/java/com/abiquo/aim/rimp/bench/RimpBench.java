package com.abiquo.aim.rimp.bench;

import com.abiquo.aim.rimp.server.RimpServerHarness;
import com.abiquo.aim.v1.CopyFromRepositoryToDatastoreRequest;
import com.abiquo.aim.v1.CopyFromRepositoryToDatastoreResponse;
import com.abiquo.aim.v1.GetDiskFileSizeRequest;
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
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The benchmark behind scripts/bench-rimp (not a test): deploys through the real gRPC API (RimpService on Netty
 * over loopback) against cp on the same files in the same run, cold cache for both (sync + drop_caches before every
 * run) unless -Dwarm=true. Prints medians and ratios.
 *
 * <p>Usage: RimpBench WORK_FOLDER XFS_MOUNT_POINT|- RUNS
 */
public final class RimpBench {
    private static final boolean warm = Boolean.getBoolean("warm");

    private RimpBench() {
    }

    public static void main(String[] args) throws Exception {
        Path work = Path.of(args[0]).toAbsolutePath();
        Path xfs = args[1].equals("-") ? null : Path.of(args[1]).toAbsolutePath();
        int runs = Integer.parseInt(args[2]);
        System.out.printf(Locale.ROOT, "cache: %s; %d runs each, median; %s%n",
                warm ? "warm (source read once before each run)" : "cold (sync; drop_caches before every run)",
                runs, run("cp", "--version").lines().findFirst().orElse("cp"));
        if (!Boolean.getBoolean("noDisk")) {
            disk(work.resolve("repository/dense-1g.raw"), Files.createDirectories(work.resolve("datastore")), runs);
        }
        List<List<String>> peers = List.of(List.of("cp"), List.of("cp", "--sparse=always"));
        compare("1 GiB dense, ext4 -> ext4 (target: within 10% of cp)", work, "dense-1g.raw", runs, peers);
        compare("4 GiB, 400 MiB data, ext4 -> ext4 (target: no slower than cp --sparse=always, same du)", work,
                "sparse-4g.raw", runs, peers);
        if (xfs != null) {
            compare("4 GiB dense, XFS -> same XFS (target: reflink clone under 50 ms)", xfs, "dense-4g.raw", runs,
                    List.of(List.of("cp", "--reflink=always")));
        }
    }

    /**
     * What the disk itself can do, measured with dd and O_DIRECT (no page cache): reading the 1 GiB source, writing
     * 1 GiB, and both at once. A durable copy must do both; cp alone only reads before it returns.
     */
    private static void disk(Path source, Path folder, int runs) throws Exception {
        Path scratch = folder.resolve("bench-dd");
        String[] read = {"dd", "if=" + source, "of=/dev/null", "bs=16M", "iflag=direct"};
        String[] write = {"dd", "if=/dev/zero", "of=" + scratch, "bs=16M", "count=64", "oflag=direct"};
        List<Double> reads = new ArrayList<>();
        List<Double> writes = new ArrayList<>();
        List<Double> both = new ArrayList<>();
        for (int i = 0; i < runs; i++) {
            prepare(source, false);
            long started = System.nanoTime();
            run(read);
            reads.add(seconds(started));
            prepare(source, false);
            started = System.nanoTime();
            run(write);
            writes.add(seconds(started));
            Files.delete(scratch);
            prepare(source, false);
            started = System.nanoTime();
            Process reader = new ProcessBuilder(read).redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
            run(write);
            reader.waitFor();
            both.add(seconds(started));
            Files.delete(scratch);
        }
        System.out.printf(Locale.ROOT, "%nThe disk (dd, O_DIRECT, 16 MiB blocks, 1 GiB, cold):%n"
                + "  read the source:            %6.3f s  (%4.0f MiB/s)%n"
                + "  write:                      %6.3f s  (%4.0f MiB/s)%n"
                + "  read and write at once:     %6.3f s  (what a durable 1 GiB copy must do at least once the "
                + "page cache is out of the way)%n  runs (s): read %s write %s both %s%n",
                median(reads), 1024 / median(reads), median(writes), 1024 / median(writes), median(both),
                fmt(reads), fmt(writes), fmt(both));
    }

    /** One scenario, with its own RimpService (repository and datastore under root) on Netty over loopback. */
    private static void compare(String title, Path root, String image, int runs, List<List<String>> peers)
            throws Exception {
        Path repository = root.resolve("repository");
        Path datastore = Files.createDirectories(root.resolve("datastore"));
        Path config = Files.writeString(root.resolve("aim-bench.ini"), "[rimp]\nrepository = " + repository
                + "\ndatastores = " + datastore + "\n");
        try (RimpServerHarness server = RimpServerHarness.netty(Files.readString(config), root, 0)) {
            ManagedChannel channel = NettyChannelBuilder.forAddress("127.0.0.1", server.port()).usePlaintext()
                    .build();
            try {
                compare(RimpServiceGrpc.newBlockingStub(channel), title, repository, image, datastore, runs, peers);
            } finally {
                channel.shutdownNow();
            }
        }
    }

    private static void compare(RimpServiceGrpc.RimpServiceBlockingStub stub, String title, Path repository,
                                String image, Path datastore, int runs, List<List<String>> peers)
            throws Exception {
        Path source = repository.resolve(image);
        Path target = datastore.resolve("bench-vm");
        Path cpTarget = datastore.resolve("bench-cp");
        Files.deleteIfExists(target);
        Files.deleteIfExists(cpTarget);
        List<Double> aim = new ArrayList<>();
        List<Double> aimServer = new ArrayList<>();
        List<Double> roundTrips = new ArrayList<>();
        Map<List<String>, List<Double>> peerTimes = new LinkedHashMap<>();
        Map<List<String>, List<Double>> peerSync = new LinkedHashMap<>();
        Map<List<String>, String> peerDu = new LinkedHashMap<>();
        RimpCopyResult[] last = new RimpCopyResult[1];
        String[] aimDu = new String[1];
        List<Step> steps = new ArrayList<>();
        // every timed run starts the same way: the previous result just deleted, sync, caches dropped
        steps.add(() -> {
            prepare(source, warm);
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
            // the same service answering a call that moves no data: what the API itself costs, warm
            started = System.nanoTime();
            stub.getDiskFileSize(GetDiskFileSizeRequest.newBuilder().setPath(target.toString()).build());
            roundTrips.add(seconds(started));
            Files.delete(target);
        });
        for (List<String> peer : peers) {
            peerTimes.put(peer, new ArrayList<>());
            peerSync.put(peer, new ArrayList<>());
            steps.add(() -> {
                prepare(source, warm);
                List<String> command = new ArrayList<>(peer);
                command.add(source.toString());
                command.add(cpTarget.toString());
                long started = System.nanoTime();
                run(command.toArray(String[]::new));
                peerTimes.get(peer).add(seconds(started));
                run("sync", cpTarget.toString()); // fsync, as AIM does before its rename
                peerSync.get(peer).add(seconds(started));
                peerDu.put(peer, run("du", "-k", cpTarget.toString()).split("\\s")[0]);
                Files.delete(cpTarget);
            });
        }
        for (int i = 0; i < runs; i++) {
            for (int j = 0; j < steps.size(); j++) {
                steps.get((i + j) % steps.size()).run(); // each tool takes its turn at going first
            }
        }
        double aimMedian = median(aim);
        System.out.printf(Locale.ROOT, "%n%s%n  image: apparent %d MiB, du %s KiB%n", title,
                Files.size(source) >> 20, run("du", "-k", source.toString()).split("\\s")[0]);
        System.out.printf(Locale.ROOT, "  %-36s %8.3f s   du %s KiB   (inside the agent %.3f s; a GetDiskFileSize "
                        + "round trip %.1f ms)%n", "AIM deploy (gRPC, " + last[0].getMethod().name()
                        .replace("RIMP_COPY_METHOD_", "") + ", fsync):", aimMedian, aimDu[0], median(aimServer),
                median(roundTrips) * 1000);
        for (List<String> peer : peers) {
            String name = String.join(" ", peer);
            System.out.printf(Locale.ROOT, "  %-36s %8.3f s   du %s KiB   AIM/this = %.2f%n", name + ":",
                    median(peerTimes.get(peer)), peerDu.get(peer), aimMedian / median(peerTimes.get(peer)));
            System.out.printf(Locale.ROOT, "  %-36s %8.3f s                AIM/this = %.2f%n",
                    name + " + sync FILE:", median(peerSync.get(peer)), aimMedian / median(peerSync.get(peer)));
        }
        System.out.printf(Locale.ROOT, "  runs (s): AIM %s%n            AIM inside the agent %s%n", fmt(aim),
                fmt(aimServer));
        for (List<String> peer : peers) {
            String name = String.join(" ", peer);
            System.out.printf(Locale.ROOT, "            %s %s%n            %s + sync %s%n", name,
                    fmt(peerTimes.get(peer)), name, fmt(peerSync.get(peer)));
        }
    }

    private interface Step {
        void run() throws Exception;
    }

    private static String fmt(List<Double> values) {
        return values.stream().map(value -> String.format(Locale.ROOT, "%.3f", value)).toList().toString();
    }

    /** Brings the disk and the caches to the chosen state. */
    private static void prepare(Path source, boolean warm) throws Exception {
        run("sync");
        // Not a wait for a condition (none is observable): a quiet period before each measured run, so the
        // journal commit and the discards of the deleted result do not fall into the measurement.
        Thread.sleep(500);
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
