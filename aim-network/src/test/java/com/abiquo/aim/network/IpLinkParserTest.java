package com.abiquo.aim.network;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Against output captured verbatim from iproute2 6.1 (this machine's namespaces, and the VM's kernel for VLANs). */
class IpLinkParserTest {
    @Test
    void readsBridgesAndTheirPorts() throws IOException {
        List<LinkInfo> links = IpLinkParser.parse(fixture("host-bridge-veth.json"));
        assertEquals(List.of("lo", "abiquo_5", "vnet0", "eth0"), links.stream().map(LinkInfo::name).toList());
        LinkInfo bridge = links.get(1);
        assertTrue(bridge.isBridge());
        assertTrue(bridge.adminUp(), "NO-CARRIER,BROADCAST,MULTICAST,UP");
        assertEquals("DOWN", bridge.operState());
        assertEquals("", bridge.master());
        LinkInfo port = links.get(2);
        assertEquals("veth", port.kind());
        assertEquals("abiquo_5", port.master());
        assertEquals("eth0", port.parent());
        assertFalse(port.adminUp());
        assertEquals("LOWERLAYERDOWN", links.get(3).operState());
        assertEquals("", links.get(0).kind());
        assertEquals(1500, bridge.mtu());
    }

    @Test
    void readsVlanSubInterfaces() throws IOException {
        LinkInfo vlan = IpLinkParser.parse(fixture("vm-vlan.json")).get(0);
        assertEquals("v0.7", vlan.name());
        assertTrue(vlan.isVlan());
        assertEquals(7, vlan.vlanId());
        assertEquals("802.1Q", vlan.vlanProtocol());
        assertEquals("v0", vlan.parent());
        assertFalse(vlan.adminUp());
    }

    @Test
    void toleratesMissingFieldsAndEmptyOutput() {
        assertEquals(List.of(), IpLinkParser.parse(""));
        assertEquals(List.of(), IpLinkParser.parse("[]"));
        LinkInfo bare = IpLinkParser.parse("[{\"ifname\":\"x\",\"link\":null,\"linkinfo\":{\"info_kind\":\"vlan\"}}]")
                .get(0);
        assertEquals("", bare.parent());
        assertEquals(0, bare.vlanId());
        assertThrows(IllegalArgumentException.class, () -> IpLinkParser.parse("{\"ifname\":\"x\"}"));
        assertThrows(IllegalArgumentException.class, () -> IpLinkParser.parse("Device \"x\" does not exist."));
    }

    static String fixture(String name) throws IOException {
        try (InputStream in = IpLinkParserTest.class.getResourceAsStream("/ip-json/" + name)) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
    }
}
