package com.abiquo.aim.storage.iscsi;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.abiquo.aim.core.spi.StoragePoolOperations.PoolSpec;
import com.abiquo.aim.core.spi.StoragePoolOperations.PoolType;
import com.abiquo.aim.core.spi.StoragePoolOperations;
import com.abiquo.aim.storage.fixture.ModulePools;
import com.abiquo.aim.storage.fixture.SystemLibvirt;
import com.abiquo.aim.storage.fixture.TgtTarget;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.libvirt.Domain;
import org.libvirt.DomainInfo;

/** A KVM domain boots with a LUN of an iscsi-direct pool attached (QEMU logs in to the target itself). */
@Tag("system")
class DomainWithLunSystemTest {
    @TempDir
    Path folder;

    @Test
    void aDomainStartsWithAnIscsiLunAsItsDisk() throws Exception {
        try (SystemLibvirt libvirt = SystemLibvirt.system();
             TgtTarget target = TgtTarget.create("boot");
             ModulePools modules = new ModulePools(folder.resolve("initiatorname.iscsi"), Duration.ofSeconds(30))) {
            StoragePoolOperations pools = modules.pools();
            target.addLun(1, 16L << 20);
            String pool = "aimst-boot-" + target.tid();
            String initiator = TgtTarget.IQN_PREFIX + "initiator-" + target.tid();
            Domain domain = null;
            try {
                pools.createOrRefreshPool(new PoolSpec(pool, PoolType.ISCSI_DIRECT, "", "127.0.0.1", 3260, "",
                        target.iqn(), initiator, Optional.empty()));
                String type = Files.exists(Path.of("/dev/kvm")) ? "kvm" : "qemu";
                String name = "aimtest-st-" + target.tid();
                domain = libvirt.connect().domainCreateXML("""
                        <domain type='%s'>
                          <name>%s</name>
                          <memory unit='MiB'>64</memory>
                          <vcpu>1</vcpu>
                          <os><type arch='x86_64' machine='pc'>hvm</type></os>
                          <devices>
                            <disk type='volume' device='disk'>
                              <driver name='qemu' type='raw'/>
                              <source pool='%s' volume='unit:0:0:1'/>
                              <target dev='vda' bus='virtio'/>
                            </disk>
                            <serial type='pty'/>
                          </devices>
                        </domain>
                        """.formatted(type, name, pool), 0);
                assertEquals(DomainInfo.DomainState.VIR_DOMAIN_RUNNING, domain.getInfo().state);
                // libvirt resolved the pool volume to an iSCSI disk that QEMU opened itself (its command line).
                String log = Files.readString(Path.of("/var/log/libvirt/qemu/" + name + ".log"));
                assertTrue(log.contains("\"driver\":\"iscsi\"") && log.contains("\"target\":\"" + target.iqn() + "\"")
                        && log.contains("\"lun\":1"), log);
            } finally {
                if (domain != null) {
                    domain.destroy();
                }
                pools.deletePool(pool);
            }
        }
    }
}
