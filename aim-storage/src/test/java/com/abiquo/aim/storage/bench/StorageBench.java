package com.abiquo.aim.storage.bench;

import com.abiquo.aim.libvirt.LibvirtErrorReason;
import com.abiquo.aim.core.command.CommandRunner;
import com.abiquo.aim.core.iscsi.InitiatorName;
import com.abiquo.aim.core.spi.StoragePoolOperations.PoolSpec;
import com.abiquo.aim.core.spi.StoragePoolOperations.PoolType;
import com.abiquo.aim.core.spi.StoragePoolOperations;
import com.abiquo.aim.storage.fixture.ModulePools;
import com.abiquo.aim.storage.fixture.SystemLibvirt;
import com.abiquo.aim.storage.fixture.TgtTarget;
import com.abiquo.aim.storage.grpc.StorageGrpcService;
import com.abiquo.aim.storage.iscsi.IscsiTargets;
import com.abiquo.aim.storage.iscsi.KernelInitiator;
import com.abiquo.aim.storage.iscsi.LibvirtPools;
import com.abiquo.aim.storage.iscsi.TargetRescanner;
import com.abiquo.aim.v1.DiscoverTargetsRequest;
import com.abiquo.aim.v1.ListTargetLunsRequest;
import com.abiquo.aim.v1.RescanTargetsRequest;
import com.abiquo.aim.v1.StorageServiceGrpc;
import io.grpc.ManagedChannel;
import io.grpc.Server;
import io.grpc.inprocess.InProcessChannelBuilder;
import io.grpc.inprocess.InProcessServerBuilder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.libvirt.StoragePool;

/**
 * Latency of the Storage service's iSCSI operations against a real tgtd target and the node's libvirtd, next to the
 * peer tool doing the same work in the same run: virsh pool-refresh + vol-list for a rescan, iscsi-ls for discovery
 * and LUN listing, and libvirt-java directly (the floor under AIM's rescan). Run by scripts/bench-storage.
 */
public final class StorageBench {
    private StorageBench() {
    }

    @FunctionalInterface
    interface Step {
        void run() throws Exception;
    }

    public static void main(String[] args) throws Exception {
        int calls = args.length > 0 ? Integer.parseInt(args[0]) : 50;
        int luns = args.length > 1 ? Integer.parseInt(args[1]) : 8;
        Path folder = Files.createTempDirectory("aimst-bench-");
        Path nameFile = folder.resolve("initiatorname.iscsi");
        try (SystemLibvirt libvirt = SystemLibvirt.system(); TgtTarget target = TgtTarget.create("bench");
             ModulePools modules = new ModulePools(nameFile, Duration.ofSeconds(30))) {
            StoragePoolOperations pools = modules.pools();
            for (int lun = 1; lun <= luns; lun++) {
                target.addLun(lun, (long) lun << 20);
            }
            String pool = "aimst-bench-" + target.tid();
            String initiator = TgtTarget.IQN_PREFIX + "bench-" + target.tid();
            Files.writeString(nameFile, "InitiatorName=" + initiator);
            pools.createOrRefreshPool(new PoolSpec(pool, PoolType.ISCSI_DIRECT, "", "127.0.0.1", 3260, "",
                    target.iqn(), initiator, Optional.empty()));
            CommandRunner commands = new CommandRunner();
            KernelInitiator kernel = new KernelInitiator(commands, Duration.ofSeconds(30), Path.of("/sys"));
            InitiatorName name = new InitiatorName(nameFile);
            LibvirtPools published = new LibvirtPools(modules.published());
            StorageGrpcService service = new StorageGrpcService(name, new TargetRescanner(kernel, published),
                    new IscsiTargets(published, kernel, commands, name, Duration.ofSeconds(30)), published);
            String serverName = InProcessServerBuilder.generateName();
            Server server = InProcessServerBuilder.forName(serverName).directExecutor().addService(service).build()
                    .start();
            ManagedChannel channel = InProcessChannelBuilder.forName(serverName).directExecutor().build();
            try {
                StorageServiceGrpc.StorageServiceBlockingStub stub = StorageServiceGrpc.newBlockingStub(channel);
                System.out.printf("Storage benchmark: %d calls per way, a tgtd target with %d LUNs on 127.0.0.1,"
                        + " an iscsi-direct pool on qemu:///system%n%n", calls, luns);
                System.out.println("rescan of a target (pool refresh + volume list):");
                double aim = measure("  AIM RescanTargets (gRPC in-process)", calls, () -> stub.rescanTargets(
                        RescanTargetsRequest.newBuilder().addTargetIqns(target.iqn()).build()));
                double java = measure("  libvirt-java refresh + volumes", calls, () -> {
                    StoragePool handle = libvirt.connect().storagePoolLookupByName(pool);
                    handle.refresh(0);
                    for (String volume : handle.listVolumes()) {
                        handle.storageVolLookupByName(volume).getXMLDesc(0);
                    }
                });
                double virsh = measure("  virsh pool-refresh + vol-list --details", calls, () -> {
                    exec(commands, "virsh", "-q", "-c", "qemu:///system", "pool-refresh", pool);
                    exec(commands, "virsh", "-q", "-c", "qemu:///system", "vol-list", pool, "--details");
                });
                System.out.printf("  AIM / libvirt-java = %.2f, AIM / virsh = %.2f%n%n", aim / java, aim / virsh);

                System.out.println("LUNs of a target with sizes:");
                double list = measure("  AIM ListTargetLuns (pool + exact sizes)", calls, () -> stub.listTargetLuns(
                        ListTargetLunsRequest.newBuilder().setPortal("127.0.0.1").setTargetIqn(target.iqn())
                                .build()));
                double ls = measure("  iscsi-ls -s (rounded sizes)", calls, () -> exec(commands, "iscsi-ls", "-s",
                        "-i", initiator, "iscsi://127.0.0.1/"));
                System.out.printf("  AIM / iscsi-ls = %.2f%n%n", list / ls);

                System.out.println("discovery at a portal:");
                double discover = measure("  AIM DiscoverTargets", calls, () -> stub.discoverTargets(
                        DiscoverTargetsRequest.newBuilder().setPortal("127.0.0.1").build()));
                double bare = measure("  iscsi-ls", calls, () -> exec(commands, "iscsi-ls", "-i", initiator,
                        "iscsi://127.0.0.1/"));
                System.out.printf("  AIM / iscsi-ls = %.2f%n", discover / bare);
            } finally {
                channel.shutdownNow();
                server.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
                pools.deletePool(pool);
            }
        } finally {
            Files.deleteIfExists(folder.resolve("initiatorname.iscsi"));
            Files.deleteIfExists(folder);
        }
    }

    /** Prints median and 90th percentile in ms after a warm-up; returns the median. */
    private static double measure(String what, int calls, Step step) throws Exception {
        for (int i = 0; i < Math.max(3, calls / 10); i++) {
            step.run();
        }
        double[] millis = new double[calls];
        for (int i = 0; i < calls; i++) {
            long start = System.nanoTime();
            step.run();
            millis[i] = (System.nanoTime() - start) / 1e6;
        }
        Arrays.sort(millis);
        double median = millis[calls / 2];
        System.out.printf("%-48s median %7.2f ms   p90 %7.2f ms%n", what, median, millis[(int) (calls * 0.9)]);
        return median;
    }

    private static void exec(CommandRunner commands, String... command) throws Exception {
        commands.runChecked(List.of(command), Duration.ofSeconds(30), io.grpc.Status.Code.INTERNAL,
                LibvirtErrorReason.STORAGE_CALL_FAILED);
    }
}
