package com.abiquo.aim.network;

import com.abiquo.aim.testing.RecordingHealth;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * Figures for scripts/bench-vlan (run inside the test VM, which has 802.1Q). Alternates rounds of the peer (the
 * script given as second argument: raw ip commands from a shell, no checks, no read-back) and of AIM's
 * {@link VlanManager} creating, listing, restoring and deleting N VLANs with their bridges, and prints the best round
 * of each in milliseconds per VLAN: the machine is shared, and the minimum is what is least disturbed by others.
 */
public final class VlanBench {
    private VlanBench() {
    }

    public static void main(String[] args) throws Exception {
        int count = Integer.parseInt(args[0]);
        String peerScript = args[1];
        int rounds = Integer.parseInt(args[2]);
        double[] best = {Double.MAX_VALUE, Double.MAX_VALUE, Double.MAX_VALUE, Double.MAX_VALUE, Double.MAX_VALUE,
            Double.MAX_VALUE};
        try (TestNamespace ns = new TestNamespace()) {
            ns.veth("eth0", "peer0");
            ns.ip("link", "set", "eth0", "up");
            Path scripts = Files.createTempDirectory("aimbench");
            VlanManager manager = ns.manager(scripts, new RecordingHealth());
            manager.startUp(false);
            for (int round = 0; round < rounds; round++) {
                double[] peer = peer(peerScript, count);
                best[0] = Math.min(best[0], peer[0]);
                best[1] = Math.min(best[1], peer[1]);
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
                if (listed != count || restored != count || Files.list(scripts).findAny().isPresent()) {
                    throw new AssertionError("listed " + listed + ", restored " + restored + ", files left?");
                }
                best[2] = Math.min(best[2], (created - start) / 1e6 / count);
                best[3] = Math.min(best[3], (deleted - restore) / 1e6 / count);
                best[4] = Math.min(best[4], (list - created) / 1e6);
                best[5] = Math.min(best[5], (restore - list) / 1e6);
            }
        }
        System.out.printf("peer create %8.1f ms/VLAN%n", best[0]);
        System.out.printf("peer delete %8.1f ms/VLAN%n", best[1]);
        System.out.printf("aim create  %8.1f ms/VLAN%n", best[2]);
        System.out.printf("aim delete  %8.1f ms/VLAN%n", best[3]);
        System.out.printf("aim list    %8.1f ms for %d VLANs%n", best[4], count);
        System.out.printf("aim restore %8.1f ms for %d complete VLANs%n", best[5], count);
        System.out.printf("ratio create aim/peer %.2f%nratio delete aim/peer %.2f%n", best[2] / best[0],
                best[3] / best[1]);
    }

    /** Runs the peer script; it prints "create MS" and "delete MS" (per VLAN). */
    private static double[] peer(String script, int count) throws Exception {
        Process process = new ProcessBuilder("sh", script, Integer.toString(count)).redirectErrorStream(true)
                .start();
        String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (process.waitFor() != 0) {
            throw new AssertionError("peer failed: " + output);
        }
        double[] figures = new double[2];
        for (String line : List.of(output.split("\n"))) {
            String[] words = line.trim().split(" +");
            if (words.length == 2 && words[0].equals("create")) {
                figures[0] = Double.parseDouble(words[1]);
            } else if (words.length == 2 && words[0].equals("delete")) {
                figures[1] = Double.parseDouble(words[1]);
            }
        }
        return figures;
    }
}
