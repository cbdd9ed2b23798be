package com.abiquo.aim.dist.bench;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

/**
 * Small running domains on the system libvirtd (64 MiB, no disk: the firmware finds nothing to boot and waits), made
 * with virsh before the AIMs start and removed at the end. libvirt's test:///default driver lives inside each AIM,
 * so there none can be made from outside: its own domain "test" is read instead.
 */
final class BenchDomains {
    private BenchDomains() {
    }

    static String kind(String uri) {
        if (uri.startsWith("test:")) {
            return "libvirt's test driver";
        }
        return Files.exists(Path.of("/dev/kvm")) ? "KVM" : "QEMU TCG";
    }

    static List<String> create(String uri, int count) throws Exception {
        List<String> names = new ArrayList<>();
        if (uri.startsWith("test:")) {
            return names;
        }
        String type = Files.exists(Path.of("/dev/kvm")) ? "kvm" : "qemu";
        String run = UUID.randomUUID().toString().substring(0, 8);
        for (int i = 0; i < count; i++) {
            String name = "aim-footprint-" + run + "-" + i;
            Path xml = Files.createTempFile("aim-footprint", ".xml");
            Files.writeString(xml, "<domain type='" + type + "'><name>" + name + "</name>"
                    + "<memory unit='MiB'>64</memory><vcpu>1</vcpu><os><type arch='x86_64' machine='pc'>hvm</type>"
                    + "</os><devices><serial type='pty'/></devices></domain>");
            virsh("define", xml.toString());
            Files.delete(xml);
            names.add(name);
            virsh("start", name);
        }
        return names;
    }

    static void remove(List<String> names) throws Exception {
        for (String name : names) {
            new ProcessBuilder("virsh", "-c", "qemu:///system", "destroy", name).redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.DISCARD).start().waitFor();
            virsh("undefine", name);
        }
    }

    private static void virsh(String... arguments) throws Exception {
        List<String> command = new ArrayList<>(List.of("virsh", "-c", "qemu:///system"));
        command.addAll(List.of(arguments));
        Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
        String output = new String(process.getInputStream().readAllBytes());
        if (process.waitFor() != 0) {
            throw new IllegalStateException(String.join(" ", command) + " failed: " + output);
        }
    }
}
