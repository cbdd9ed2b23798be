package com.abiquo.aim.storage.iscsi;

import com.abiquo.aim.core.command.CommandRunner;
import com.abiquo.aim.storage.pool.LibvirtStoragePools;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.stream.Collectors;

/**
 * Runs inside the test VM (a kernel with iscsi_tcp), started by KernelInitiatorVmSystemTest: AIM's discovery and
 * rescan code against a tgtd target the guest script made, with a LUN added after login. Prints "AIMTEST" lines
 * that the host-side test checks. Arguments: target IQN, tgtd tid, file for the new LUN.
 */
public final class KernelRescanProbe {
    private KernelRescanProbe() {
    }

    public static void main(String[] args) throws Exception {
        String iqn = args[0];
        String tid = args[1];
        String lunFile = args[2];
        Duration timeout = Duration.ofSeconds(120);
        CommandRunner commands = new CommandRunner();
        KernelInitiator kernel = new KernelInitiator(commands, timeout, Path.of("/sys"));
        try (LibvirtStoragePools pools = new LibvirtStoragePools(Optional::empty, timeout)) {
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
        commands.runChecked(List.of(command), Duration.ofSeconds(120), io.grpc.Status.Code.INTERNAL, "PROBE_STEP");
    }
}
