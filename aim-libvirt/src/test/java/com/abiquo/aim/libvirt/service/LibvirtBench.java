package com.abiquo.aim.libvirt.service;

import com.abiquo.aim.v1.DefineDomainRequest;
import com.abiquo.aim.v1.DomainRef;
import com.abiquo.aim.v1.GetDomainStateRequest;
import com.abiquo.aim.v1.LibvirtServiceGrpc;
import com.abiquo.aim.v1.PowerOffDomainRequest;
import com.abiquo.aim.v1.PowerOnDomainRequest;
import com.abiquo.aim.v1.UndefineDomainRequest;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * scripts/bench-libvirt: what AIM's Libvirt service adds on top of libvirt, against a real KVM domain on
 * qemu:///system. In the same run it measures the same operations three ways: libvirt-java directly on AIM's
 * connection (the floor), AIM's gRPC service (in-process channel: AIM's own cost without the network), and the
 * peer tool virsh (one process per operation, as scripts and older agents use it).
 */
public final class LibvirtBench {
    private LibvirtBench() {
    }

    public static void main(String[] args) throws Exception {
        int calls = args.length > 0 ? Integer.parseInt(args[0]) : 5000;
        int lifecycles = args.length > 1 ? Integer.parseInt(args[1]) : 10;
        String uri = "qemu:///system";
        String name = "aimtest-lv-bench-" + UUID.randomUUID().toString().substring(0, 8);
        try (LibvirtServiceFixture fixture = new LibvirtServiceFixture(uri)) {
            if (!fixture.connection.connected()) {
                throw new IllegalStateException(uri + " unreachable: " + fixture.connection.lastFailure());
            }
            var stub = fixture.stub;
            DomainRef ref = DomainRef.newBuilder().setName(name).build();
            stub.defineDomain(DefineDomainRequest.newBuilder()
                    .setXml(LibvirtServiceSystemTest.kvmXml(name, "")).build());
            try {
                stub.powerOnDomain(PowerOnDomainRequest.newBuilder().setDomain(ref).build());
                System.out.printf("AIM Libvirt service benchmark on %s, domain %s (%s), %d calls per way%n%n", uri,
                        name, java.nio.file.Files.exists(java.nio.file.Path.of("/dev/kvm")) ? "KVM" : "TCG", calls);

                // Warm-up: JIT, connection, domain handle cache inside libvirtd.
                for (int i = 0; i < Math.min(calls, 2000); i++) {
                    stub.getDomainState(GetDomainStateRequest.newBuilder().setDomain(ref).build());
                    fixture.connection.call(c -> c.domainLookupByName(name).getInfo());
                }
                long[] direct = new long[calls];
                for (int i = 0; i < calls; i++) {
                    long start = System.nanoTime();
                    fixture.connection.call(c -> {
                        var domain = c.domainLookupByName(name);
                        try {
                            return domain.getInfo();
                        } finally {
                            domain.free();
                        }
                    });
                    direct[i] = System.nanoTime() - start;
                }
                long[] aim = new long[calls];
                for (int i = 0; i < calls; i++) {
                    long start = System.nanoTime();
                    stub.getDomainState(GetDomainStateRequest.newBuilder().setDomain(ref).build());
                    aim[i] = System.nanoTime() - start;
                }
                int virshCalls = Math.max(20, calls / 100);
                long[] virsh = new long[virshCalls];
                for (int i = 0; i < virshCalls; i++) {
                    long start = System.nanoTime();
                    run("virsh", "-q", "-c", uri, "domstate", name);
                    virsh[i] = System.nanoTime() - start;
                }
                System.out.println("Domain state (lookup by name + state):");
                print("libvirt-java direct", direct, direct, "libvirt-java");
                print("AIM GetDomainState", aim, direct, "libvirt-java");
                print("virsh domstate", virsh, direct, "libvirt-java");

                double throughput = throughput(fixture, ref, 4, 3);
                System.out.printf("%nAIM GetDomainState, 4 client threads for 3 s: %.0f calls/s%n", throughput);

                long[] aimCycle = new long[lifecycles];
                long[] virshCycle = new long[lifecycles];
                stub.powerOffDomain(PowerOffDomainRequest.newBuilder().setDomain(ref).build());
                for (int i = 0; i < lifecycles; i++) {
                    long start = System.nanoTime();
                    stub.powerOnDomain(PowerOnDomainRequest.newBuilder().setDomain(ref).build());
                    stub.powerOffDomain(PowerOffDomainRequest.newBuilder().setDomain(ref).build());
                    aimCycle[i] = System.nanoTime() - start;
                    start = System.nanoTime();
                    run("virsh", "-q", "-c", uri, "start", name);
                    run("virsh", "-q", "-c", uri, "destroy", name);
                    virshCycle[i] = System.nanoTime() - start;
                }
                System.out.printf("%nPower on + power off of a real %s domain, %d rounds:%n",
                        java.nio.file.Files.exists(java.nio.file.Path.of("/dev/kvm")) ? "KVM" : "TCG", lifecycles);
                print("AIM PowerOn+PowerOff", aimCycle, virshCycle, "virsh");
                print("virsh start+destroy", virshCycle, virshCycle, "virsh");
                Runtime runtime = Runtime.getRuntime();
                System.gc();
                System.out.printf("%nJVM heap in use after the run: %d MiB%n",
                        (runtime.totalMemory() - runtime.freeMemory()) >> 20);
            } finally {
                try {
                    stub.powerOffDomain(PowerOffDomainRequest.newBuilder().setDomain(ref).build());
                } catch (RuntimeException notRunning) {
                    // already off
                }
                stub.undefineDomain(UndefineDomainRequest.newBuilder().setDomain(ref).build());
            }
        }
        System.exit(0);
    }

    private static double throughput(LibvirtServiceFixture fixture, DomainRef ref, int threads, int seconds)
            throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        AtomicBoolean stop = new AtomicBoolean();
        List<Future<Long>> counts = new ArrayList<>();
        LibvirtServiceGrpc.LibvirtServiceBlockingStub stub = fixture.stub;
        for (int t = 0; t < threads; t++) {
            counts.add(pool.submit(() -> {
                long done = 0;
                while (!stop.get()) {
                    stub.getDomainState(GetDomainStateRequest.newBuilder().setDomain(ref).build());
                    done++;
                }
                return done;
            }));
        }
        long start = System.nanoTime();
        Thread.sleep(seconds * 1000L); // the measuring window, not a wait
        stop.set(true);
        long total = 0;
        for (Future<Long> count : counts) {
            total += count.get();
        }
        double elapsed = (System.nanoTime() - start) / 1e9;
        pool.shutdown();
        pool.awaitTermination(5, TimeUnit.SECONDS);
        return total / elapsed;
    }

    private static void print(String what, long[] samples, long[] baseline, String baselineName) {
        long[] sorted = samples.clone();
        Arrays.sort(sorted);
        long[] base = baseline.clone();
        Arrays.sort(base);
        double p50 = percentile(sorted, 50);
        double p99 = percentile(sorted, 99);
        System.out.printf("  %-24s p50 %9.3f ms  p99 %9.3f ms  (p50 x%.2f of %s)%n", what, p50 / 1e6,
                p99 / 1e6, p50 / percentile(base, 50), baselineName);
    }

    private static double percentile(long[] sorted, int percent) {
        int index = (int) Math.ceil(percent / 100.0 * sorted.length) - 1;
        return sorted[Math.max(0, Math.min(index, sorted.length - 1))];
    }

    private static void run(String... command) throws Exception {
        Process process = new ProcessBuilder(command).redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
        if (!process.waitFor(60, TimeUnit.SECONDS) || process.exitValue() != 0) {
            throw new IllegalStateException(String.join(" ", command) + " failed");
        }
    }
}
