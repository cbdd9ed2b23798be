package com.abiquo.aim.libvirt.pool;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.abiquo.aim.core.spi.StoragePoolOperations.Chap;
import com.abiquo.aim.core.spi.StoragePoolOperations.PoolSpec;
import com.abiquo.aim.core.spi.StoragePoolOperations.PoolType;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class PoolXmlTest {
    @Test
    void iscsiDirectPoolWithChapRoundTrips() {
        PoolSpec spec = new PoolSpec("san1", PoolType.ISCSI_DIRECT, "", "fd00::1", 3261, "",
                "iqn.2026-11.test.aim.storage:t", "iqn.2026-11.test.aim.storage:i",
                Optional.of(new Chap("user<&>\"'", "secret")));
        String xml = PoolXml.pool(spec, "san1", Optional.of("aim-chap-san1"));
        assertFalse(xml.contains("secret\""), xml);
        assertTrue(xml.contains("&lt;&amp;&gt;"), xml);
        PoolXml.Definition definition = PoolXml.parsePool(xml);
        assertEquals("iscsi-direct", definition.type());
        assertEquals(Optional.of(PoolType.ISCSI_DIRECT), definition.poolType());
        assertEquals("san1", definition.name());
        assertEquals("fd00::1", definition.sourceHost());
        assertEquals(3261, definition.sourcePort());
        assertEquals("iqn.2026-11.test.aim.storage:t", definition.source());
        assertEquals("iqn.2026-11.test.aim.storage:i", definition.initiatorIqn());
        assertEquals("aim-chap-san1", definition.authUsage());
        assertEquals("user<&>\"'", definition.authUsername());
        assertTrue(definition.hasAuth());
        assertEquals("", definition.targetPath());
    }

    @Test
    void kernelIscsiPoolGetsTheByPathFolderByDefault() {
        PoolSpec spec = new PoolSpec("san2", PoolType.ISCSI, "", "10.0.0.5", 3260, "", "iqn.2026-11.a:b", "",
                Optional.empty());
        PoolXml.Definition definition = PoolXml.parsePool(PoolXml.pool(spec, "san2", Optional.empty()));
        assertEquals("/dev/disk/by-path", definition.targetPath());
        assertEquals("", definition.initiatorIqn());
        assertEquals("", definition.authUsage());
        assertFalse(definition.hasAuth());
    }

    @Test
    void netfsAndDirPools() {
        PoolXml.Definition netfs = PoolXml.parsePool(PoolXml.pool(new PoolSpec("nfs1", PoolType.NETFS, "/mnt/nfs1",
                "nfs.example.com", 0, "/export/vm", "", "", Optional.empty()), "nfs1", Optional.empty()));
        assertEquals("netfs", netfs.type());
        assertEquals("nfs.example.com", netfs.sourceHost());
        assertEquals("/export/vm", netfs.source());
        assertEquals("/mnt/nfs1", netfs.targetPath());
        PoolXml.Definition dir = PoolXml.parsePool(PoolXml.pool(new PoolSpec("d", PoolType.DIR, "/var/a&b", "", 0,
                "", "", "", Optional.empty()), "d", Optional.empty()));
        assertEquals("/var/a&b", dir.targetPath());
        assertEquals("", dir.source());
    }

    @Test
    void everyPoolTypeIsWrittenAndReadBackAsItself() {
        for (PoolType type : PoolType.values()) {
            String xml = PoolXml.pool(new PoolSpec("p", type, "/var/p", "10.0.0.5", 3260, "/export",
                    "iqn.2026-11.a:b", "", Optional.empty()), "p", Optional.empty());
            assertEquals(Optional.of(type), PoolXml.parsePool(xml).poolType(), xml);
        }
    }

    @Test
    void aLibvirtPoolTypeAimDoesNotHandleHasNoPoolType() {
        PoolXml.Definition logical = PoolXml.parsePool("<pool type='logical'><name>vg</name></pool>");
        assertEquals("logical", logical.type());
        assertEquals(Optional.empty(), logical.poolType());
    }

    @Test
    void volumeXmlCarriesBytesAndFormat() {
        PoolXml.VolumeDefinition volume = PoolXml.parseVolume(
                PoolXml.volume("disk.qcow2", 64L << 20, 0, "qcow2").replace("<volume>", "<volume><key>k</key>"));
        assertEquals("disk.qcow2", volume.name());
        assertEquals("qcow2", volume.format());
        assertEquals(64L << 20, volume.capacityBytes());
        assertEquals(0, volume.allocationBytes());
    }

    @Test
    void readsLibvirtsVolumeXmlInAnyUnit() {
        PoolXml.VolumeDefinition lun = PoolXml.parseVolume("""
                <volume type='network'>
                  <name>unit:0:0:1</name>
                  <key>ip-127.0.0.1:3260-iscsi-iqn.2026-11.test.aim.storage:probe-lun-1</key>
                  <capacity unit='bytes'>10485248</capacity>
                  <allocation unit='KiB'>4</allocation>
                  <target>
                    <path>ip-127.0.0.1:3260-iscsi-iqn.2026-11.test.aim.storage:probe-lun-1</path>
                  </target>
                </volume>""");
        assertEquals("unit:0:0:1", lun.name());
        assertEquals("", lun.format());
        assertEquals(10485248, lun.capacityBytes());
        assertEquals(4096, lun.allocationBytes());
        assertEquals("ip-127.0.0.1:3260-iscsi-iqn.2026-11.test.aim.storage:probe-lun-1", lun.path());
    }

    @Test
    void chapSecretIsPrivateOfUsageIscsi() {
        String xml = PoolXml.chapSecret("aim-chap-x", "CHAP <x>", false);
        assertTrue(xml.contains("private=\"yes\"") && xml.contains("ephemeral=\"no\"")
                && xml.contains("<usage type=\"iscsi\"><target>aim-chap-x</target></usage>")
                && xml.contains("CHAP &lt;x&gt;"), xml);
    }
}
