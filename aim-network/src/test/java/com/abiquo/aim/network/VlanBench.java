package com.abiquo.aim.network;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * Figures for scripts/bench-vlan (run inside the test VM, which has 802.1Q): creates N VLANs with their bridges
 * through {@link VlanManager}, lists and restores them, deletes them, and prints milliseconds per operation. The
 * peer (raw ip commands from a shell, no checks, no read-back) is timed by the script in the same VM run.
 */
public final class VlanBench {
    private VlanBench() {
    }

    public static void main(String[] args) throws Exception {
        int count = Integer.parseInt(args[0]);
        try (TestNamespace ns = new TestNamespace()) {
            ns.veth("eth0", "peer0");
            ns.ip("link", "set", "eth0", "up");
            Path scripts = Files.createTempDirectory("aimbench");
            VlanManager manager = ns.manager(scripts, new TestNamespace.RecordingHealth());
            manager.startUp(false);
            cycle(manager, 2001, 2000 + Math.max(5, count / 5));   // warm-up: JIT and page cache
            long start = System.nanoTime();
            for (int tag = 1; tag <= count; tag++) {
                manager.create(VlanSpec.of(tag, "eth0", "br" + tag));
            }
            long created = System.nanoTime();
            int listed = manager.list().vlans().size();
            long list = System.nanoTime();
            int restored = manager.restore().results().size();
            long restore = System.nanoTime();
            for (int tag = 1; tag <= count; tag++) {
                manager.delete(VlanSpec.of(tag, "eth0", "br" + tag), false);
            }
            long deleted = System.nanoTime();
            if (listed != count || restored != count) {
                throw new AssertionError("listed " + listed + ", restored " + restored + ", expected " + count);
            }
            System.out.printf("aim create  %8.1f ms/VLAN%n", (created - start) / 1e6 / count);
            System.out.printf("aim delete  %8.1f ms/VLAN%n", (deleted - restore) / 1e6 / count);
            System.out.printf("aim list    %8.1f ms for %d VLANs%n", (list - created) / 1e6, count);
            System.out.printf("aim restore %8.1f ms for %d complete VLANs%n", (restore - list) / 1e6, count);
            List<String> left = Files.list(scripts).map(p -> p.getFileName().toString()).toList();
            if (!left.isEmpty()) {
                throw new AssertionError("files left: " + left);
            }
        }
    }

    private static void cycle(VlanManager manager, int from, int to) throws Exception {
        for (int tag = from; tag <= to; tag++) {
            manager.create(VlanSpec.of(tag, "eth0", "br" + tag));
        }
        for (int tag = from; tag <= to; tag++) {
            manager.delete(VlanSpec.of(tag, "eth0", "br" + tag), false);
        }
    }
}
