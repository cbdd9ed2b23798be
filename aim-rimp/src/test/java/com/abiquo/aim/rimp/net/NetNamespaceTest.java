package com.abiquo.aim.rimp.net;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.abiquo.aim.rimp.TestFiles;
import com.abiquo.aim.testing.SystemTestRequirements;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The interface rule on a real network namespace made by the test (never the host's links): up veths and a
 * plain bridge are listed; down veths, loopback, an abiquo_ bridge, a virbr bridge and a vnet tap are not. The
 * namespace's /sys/class/net is copied out with `ip netns exec` (which mounts the namespace's own sysfs) and read
 * by the same reader the service uses.
 */
@Tag("system")
class NetNamespaceTest {
    @TempDir
    Path folder;

    @Test
    void listsOnlyTheInterfacesAControllerMayUse() throws Exception {
        SystemTestRequirements.requireRoot("network namespaces");
        String namespace = "aimrimp" + ProcessHandle.current().pid();
        TestFiles.run("ip", "netns", "add", namespace);
        try {
            for (String command : List.of(
                    "ip link set lo up",
                    "ip link add rimpa type veth peer name rimpb",
                    "ip link set rimpa address 02:00:00:00:00:0a",
                    "ip link set rimpa up",
                    "ip link set rimpb up",
                    "ip link add rimpc type veth peer name rimpd",
                    "ip link add br0 type bridge",
                    "ip link set br0 address 02:00:00:00:00:0b",
                    "ip link set br0 up",
                    "ip link add abiquo_7 type bridge",
                    "ip link set abiquo_7 up",
                    "ip link add virbr0 type bridge",
                    "ip link set virbr0 up",
                    "ip tuntap add vnet0 mode tap",
                    "ip link set vnet0 up")) {
                List<String> words = new java.util.ArrayList<>(List.of("ip", "netns", "exec", namespace));
                words.addAll(List.of(command.split(" ")));
                TestFiles.run(words.toArray(String[]::new));
            }
            Path copy = Files.createDirectories(folder.resolve("net"));
            TestFiles.run("ip", "netns", "exec", namespace, "sh", "-c",
                    "for d in /sys/class/net/*; do n=${d##*/}; mkdir -p \"$1/$n\"; for f in flags address type uevent;"
                            + " do cat \"$d/$f\" > \"$1/$n/$f\" 2>/dev/null || true; done; done", "sh",
                    copy.toString());

            List<NetInterface> listed = new NetInterfaces(copy).list();

            // rimpb (the other end of rimpa, also up) counts; rimpc/rimpd are down
            assertEquals(List.of(new NetInterface("br0", "02:00:00:00:00:0b"),
                    new NetInterface("rimpa", "02:00:00:00:00:0a"), listed.get(2)), listed);
            assertEquals("rimpb", listed.get(2).name());
        } finally {
            TestFiles.run("ip", "netns", "delete", namespace);
        }
    }
}
