package com.abiquo.aim.libvirt.pool;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.abiquo.aim.core.config.AimSettings;
import com.abiquo.aim.core.module.ModuleContext;
import com.abiquo.aim.core.module.NodeIdentity;
import com.abiquo.aim.core.module.ServiceRegistry;
import com.abiquo.aim.libvirt.LibvirtModule;
import com.abiquo.aim.testing.RecordingHealth;
import com.abiquo.aim.testing.Waits;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.Executors;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.libvirt.Connect;
import org.libvirt.LibvirtException;
import org.libvirt.Secret;

/**
 * What a ListTargetLuns probe leaves in libvirtd when its clean-up is lost (the agent stopped while libvirt still
 * held the call, libvirtd dropped the connection): the module removes it when it starts. Real libvirtd.
 */
@Tag("system")
class ProbeLeftoversSystemTest {
    @TempDir
    Path folder;

    @Test
    void theModuleRemovesLeftoverProbeSecretsAndPoolsWhenItStarts() throws Exception {
        String run = UUID.randomUUID().toString().substring(0, 8);
        String probe = "aim-probe-" + run;
        try (TestLibvirtAccess libvirt = TestLibvirtAccess.system()) {
            Connect connect = libvirt.connect();
            // As the probe of an earlier AIM left them: a persistent secret (as AIM wrote them before) and the
            // transient pool.
            Secret leftover = secret(connect, "aim-chap-" + probe, "no");
            String leftoverUuid = leftover.getUUIDString();
            Secret ephemeral = secret(connect, "aim-chap-" + probe + "e", "yes");
            Secret kept = secret(connect, "aim-chap-aimst-keep-" + run, "no");
            Path target = Files.createDirectory(folder.resolve("probe"));
            connect.storagePoolCreateXML("<pool type='dir'><name>" + probe + "</name><target><path>" + target
                    + "</path></target></pool>", 0).free();
            assertTrue(Files.exists(Path.of("/etc/libvirt/secrets", leftoverUuid + ".xml")));

            LibvirtModule module = new LibvirtModule();
            ServiceRegistry registry = new ServiceRegistry();
            var executor = Executors.newSingleThreadExecutor();
            var scheduler = Executors.newSingleThreadScheduledExecutor();
            try {
                module.start(new ModuleContext(new AimSettings("aim.ini", Map.of("monitor",
                        Map.of("uri", "qemu:///system"), "storage",
                        Map.of("initiatorNameFile", "absent/initiatorname.iscsi"))), folder, executor, scheduler,
                        new RecordingHealth(), registry, new NodeIdentity("node", "127.0.0.1")));
                // until the clean-up is done; the assertions below name whatever it left (60 s: the system libvirtd
                // may be slow on a loaded machine, and a bound that holds costs nothing)
                Waits.holdsWithin(Duration.ofSeconds(60), Duration.ofMillis(100),
                        () -> !hasSecret(connect, "aim-chap-" + probe)
                                && !Arrays.asList(connect.listStoragePools()).contains(probe));
                Waits.holdsWithin(Duration.ofSeconds(60), Duration.ofMillis(100),
                        () -> !hasSecret(connect, "aim-chap-" + probe + "e"));
                assertFalse(hasSecret(connect, "aim-chap-" + probe), "the leftover probe secret is still there");
                assertFalse(hasSecret(connect, "aim-chap-" + probe + "e"), "the ephemeral probe secret is still there");
                assertFalse(Files.exists(Path.of("/etc/libvirt/secrets", leftoverUuid + ".xml")));
                assertFalse(Arrays.asList(connect.listStoragePools()).contains(probe),
                        "the leftover probe pool is still there");
                assertTrue(hasSecret(connect, "aim-chap-aimst-keep-" + run), "another pool's secret was removed");
            } finally {
                module.stop();
                executor.shutdownNow();
                scheduler.shutdownNow();
                kept.undefine();
                if (hasSecret(connect, "aim-chap-" + probe)) {
                    leftover.undefine();
                }
                if (hasSecret(connect, "aim-chap-" + probe + "e")) {
                    ephemeral.undefine();
                }
                if (Arrays.asList(connect.listStoragePools()).contains(probe)) {
                    connect.storagePoolLookupByName(probe).destroy();
                }
            }
        }
    }

    private static Secret secret(Connect connect, String usage, String ephemeral) throws LibvirtException {
        Secret secret = connect.secretDefineXML("<secret ephemeral='" + ephemeral + "' private='yes'><description>"
                + "aim test</description><usage type='iscsi'><target>" + usage + "</target></usage></secret>");
        secret.setValue("pw".getBytes(StandardCharsets.UTF_8));
        return secret;
    }

    private static boolean hasSecret(Connect connect, String usage) throws LibvirtException {
        for (String uuid : connect.listSecrets()) {
            try {
                if (usage.equals(connect.secretLookupByUUIDString(uuid).getUsageID())) {
                    return true;
                }
            } catch (LibvirtException gone) {
                // removed between the listing and the look-up
            }
        }
        return false;
    }
}
