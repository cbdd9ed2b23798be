package com.abiquo.aim.storage.iscsi;

import com.abiquo.aim.libvirt.LibvirtErrorReason;
import com.abiquo.aim.core.command.CommandRunner;
import com.abiquo.aim.core.iscsi.InitiatorName;
import com.abiquo.aim.core.spi.StoragePoolOperations.PoolSpec;
import com.abiquo.aim.core.spi.StoragePoolOperations.PoolType;
import com.abiquo.aim.core.spi.StoragePoolOperations.VolumeInfo;
import com.abiquo.aim.core.spi.StoragePoolOperations;
import com.abiquo.aim.storage.fixture.ModulePools;
import com.abiquo.aim.storage.fixture.SystemLibvirt;
import com.abiquo.aim.testing.Waits;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.stream.Collectors;

/**
 * Runs inside the test VM (a kernel with iscsi_tcp), started by KernelInitiatorVmSystemTest: AIM's discovery and
 * rescan code against a tgtd target the guest script made, with a LUN added after login. Prints "AIMTEST" lines
 * that the host-side test checks. Then the same with a kernel "iscsi" libvirt pool (libvirtd started by the guest
 * script). Arguments: target IQN, tgtd tid, files for LUNs 2 and 3.
 */
public final class KernelRescanProbe {
    private KernelRescanProbe() {
    }

    public static void main(String[] args) throws Exception {
        String iqn = args[0];
        String tid = args[1];
        String lunFile = args[2];
        String thirdLunFile = args[3];
        Duration timeout = Duration.ofSeconds(120);
        CommandRunner commands = new CommandRunner();
        KernelInitiator kernel = new KernelInitiator(commands, timeout, Path.of("/sys"));
        {
            LibvirtPools pools = new LibvirtPools(Optional::empty);   // no libvirtd yet: the kernel path only
            IscsiTargets targets = new IscsiTargets(pools, kernel, commands,
                    new InitiatorName(Path.of("/etc/iscsi/initiatorname.iscsi")), timeout);
            IscsiTargets.Discovery discovery = targets.discover("127.0.0.1");
            System.out.println("AIMTEST discovered " + discovery.tool() + " " + discovery.targets().stream()
                    .map(KernelInitiator.Target::targetIqn).collect(Collectors.joining(",")));

            run(commands, "iscsiadm", "-m", "node", "-T", iqn, "-p", "127.0.0.1", "--login");
            TargetRescanner rescanner = new TargetRescanner(kernel, pools);
            report("rescan1", rescanner.rescan(List.of(iqn)));

            run(commands, "tgtadm", "--lld", "iscsi", "--op", "new", "--mode", "logicalunit", "--tid", tid,
                    "--lun", "2", "-b", lunFile);
            System.out.println("AIMTEST before " + luns(kernel.luns(kernel.sessions().get(0))));
            report("rescan2", rescanner.rescan(List.of(iqn)));
            run(commands, "iscsiadm", "-m", "node", "-T", iqn, "-p", "127.0.0.1", "--logout");
        }

        // A kernel "iscsi" pool: libvirt logs in through open-iscsi; a rescan refreshes the pool and the session.
        try (SystemLibvirt libvirt = connectWithin(Duration.ofSeconds(240));
             ModulePools modules = new ModulePools(Path.of("/etc/iscsi/initiatorname.iscsi"), timeout)) {
            StoragePoolOperations pools = modules.pools();
            PoolSpec spec = new PoolSpec("aimst-kernel", PoolType.ISCSI, "/dev", "127.0.0.1", 3260, "", iqn, "",
                    Optional.empty());
            StoragePoolOperations.PoolOutcome created = pools.createOrRefresh(spec);
            System.out.println("AIMTEST pool created=" + created.created() + " type=" + created.pool().type()
                    + " volumes=" + volumes(pools.listVolumes("aimst-kernel")));
            run(commands, "tgtadm", "--lld", "iscsi", "--op", "new", "--mode", "logicalunit", "--tid", tid,
                    "--lun", "3", "-b", thirdLunFile);
            TargetRescanner.TargetRescan rescan = new TargetRescanner(kernel, new LibvirtPools(modules.published()))
                    .rescan(List.of(iqn)).get(0);
            System.out.println("AIMTEST rescan3 outcome=" + rescan.outcome() + " kernel="
                    + luns(rescan.kernel().orElseThrow().luns()) + " pool=" + rescan.pools().get(0).pool() + ":"
                    + volumes(rescan.pools().get(0).volumes()));
            System.out.println("AIMTEST again created=" + pools.createOrRefresh(spec).created());
            pools.deletePool("aimst-kernel");
            System.out.println("AIMTEST sessions after delete=" + kernel.sessions().size());
        }
    }

    private static SystemLibvirt connectWithin(Duration limit) {
        return Waits.awaitValue("the guest's libvirtd to accept a connection", limit, Duration.ofMillis(500),
                KernelRescanProbe::connected, Optional::isPresent).orElseThrow();
    }

    private static Optional<SystemLibvirt> connected() {
        try {
            return Optional.of(SystemLibvirt.system());
        } catch (org.libvirt.LibvirtException notYet) {
            return Optional.empty();
        }
    }

    private static String volumes(List<VolumeInfo> volumes) {
        return volumes.stream().map(volume -> volume.name() + "=" + volume.capacityBytes())
                .collect(Collectors.joining(","));
    }

    private static void report(String step, List<TargetRescanner.TargetRescan> results) {
        for (TargetRescanner.TargetRescan result : results) {
            TargetRescanner.KernelRescan kernel = result.kernel().orElseThrow();
            System.out.println("AIMTEST " + step + " rescanned=" + kernel.rescanned() + " error=" + kernel.error()
                    + " luns=" + luns(kernel.luns()));
        }
    }

    private static String luns(List<KernelInitiator.Lun> luns) {
        return luns.stream().filter(lun -> !lun.device().isEmpty())
                .map(lun -> lun.lun() + ":" + lun.sizeBytes()).collect(Collectors.joining(","));
    }

    private static void run(CommandRunner commands, String... command) throws Exception {
        commands.runChecked(List.of(command), Duration.ofSeconds(120), io.grpc.Status.Code.INTERNAL,
                LibvirtErrorReason.STORAGE_CALL_FAILED);
    }
}
