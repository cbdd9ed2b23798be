package com.abiquo.aim.rimp.net;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The interface rule on captured sysfs values, and the reader on this machine's real /sys/class/net. */
class NetInterfacesTest {
    // flags, address, type and uevent as read from /sys/class/net on a KVM node running AIM
    private static List<InterfaceFacts> captured() {
        return List.of(
                InterfaceFacts.parse("lo", "0x9\n", "00:00:00:00:00:00\n", "772\n", "INTERFACE=lo\nIFINDEX=1\n"),
                InterfaceFacts.parse("eth0", "0x1003\n", "52:54:00:AB:CD:01\n", "1\n", "INTERFACE=eth0\nIFINDEX=2\n"),
                InterfaceFacts.parse("eth1", "0x1002\n", "52:54:00:ab:cd:02\n", "1\n", "INTERFACE=eth1\nIFINDEX=3\n"),
                InterfaceFacts.parse("eth1.100", "0x1003\n", "52:54:00:ab:cd:02\n", "1\n",
                        "DEVTYPE=vlan\nINTERFACE=eth1.100\n"),
                InterfaceFacts.parse("vlan7", "0x1003\n", "52:54:00:ab:cd:02\n", "1\n",
                        "DEVTYPE=vlan\nINTERFACE=vlan7\n"),
                InterfaceFacts.parse("abiquo_100", "0x1003\n", "52:54:00:ab:cd:02\n", "1\n",
                        "DEVTYPE=bridge\nINTERFACE=abiquo_100\n"),
                InterfaceFacts.parse("virbr0", "0x1003\n", "52:54:00:11:22:33\n", "1\n", "DEVTYPE=bridge\n"),
                InterfaceFacts.parse("vnet0", "0x1003\n", "fe:54:00:44:55:66\n", "1\n", "INTERFACE=vnet0\n"),
                InterfaceFacts.parse("br0", "0x1003\n", "52:54:00:77:88:99\n", "1\n", "DEVTYPE=bridge\n"),
                InterfaceFacts.parse("bond0", "0x1403\n", "52:54:00:aa:bb:cc\n", "1\n", "DEVTYPE=bond\n"));
    }

    @Test
    void keepsOnlyUpInterfacesThatAreNotLoopbackBridgesOfAimOrLibvirtTapsOrVlans() {
        assertEquals(List.of(new NetInterface("bond0", "52:54:00:aa:bb:cc"),
                        new NetInterface("br0", "52:54:00:77:88:99"), new NetInterface("eth0", "52:54:00:ab:cd:01")),
                NetInterfaces.select(captured()));
    }

    @Test
    void parsesFlagsInHex() {
        InterfaceFacts facts = InterfaceFacts.parse("x", "0x1003", "", "1", "");
        assertTrue(facts.up());
        assertFalse(InterfaceFacts.parse("x", "0x1002", "", "1", "").up());
        assertFalse(InterfaceFacts.parse("x", "garbage", "", "1", "").up());
    }

    @Test
    void readsThisMachinesInterfaces() throws Exception {
        List<NetInterface> interfaces = new NetInterfaces(NetInterfaces.SYS_CLASS_NET).list();
        assertTrue(interfaces.stream().noneMatch(face -> face.name().equals("lo")));
        for (NetInterface face : interfaces) {
            String flags = java.nio.file.Files.readString(Path.of("/sys/class/net", face.name(), "flags")).strip();
            assertEquals(1, Integer.decode(flags) & 1, face.name() + " is up");
        }
    }
}
