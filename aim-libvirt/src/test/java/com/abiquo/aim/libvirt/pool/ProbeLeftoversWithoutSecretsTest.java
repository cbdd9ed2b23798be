package com.abiquo.aim.libvirt.pool;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;

import com.abiquo.aim.core.error.AimException;
import com.abiquo.aim.libvirt.connection.LibvirtAccess;
import java.time.Duration;
import java.util.Arrays;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * The start-up sweep of probe leftovers on a libvirt driver that has no secrets at all (libvirt's test driver, the
 * one of AIM's safe developer configuration): there are no probe secrets to remove, which is no failure.
 */
class ProbeLeftoversWithoutSecretsTest {
    @Test
    void theSweepRemovesProbePoolsAndSucceedsWhereTheDriverHasNoSecrets() throws Exception {
        String probe = LibvirtStoragePools.PROBE_PREFIX + UUID.randomUUID().toString().substring(0, 8);
        try (TestLibvirtAccess libvirt = new TestLibvirtAccess("test:///default")) {
            libvirt.connect().storagePoolCreateXML("<pool type='dir'><name>" + probe + "</name><target><path>/"
                    + probe + "</path></target></pool>", 0).free();
            BlockingQueue<String> outcomes = new LinkedBlockingQueue<>();
            LibvirtAccess recording = new LibvirtAccess() {
                @Override
                public <T> T call(LibvirtCall<T> call) throws AimException {
                    try {
                        T result = libvirt.call(call);
                        outcomes.add("succeeded");
                        return result;
                    } catch (AimException failure) {
                        outcomes.add("failed: " + failure.getMessage());
                        throw failure;
                    }
                }

                @Override
                public boolean connected() {
                    return libvirt.connected();
                }

                @Override
                public String uri() {
                    return libvirt.uri();
                }
            };
            try (LibvirtStoragePools pools = new LibvirtStoragePools(() -> Optional.of(recording),
                    Duration.ofSeconds(10))) {
                pools.removeProbeLeftovers();
                String outcome = outcomes.poll(60, TimeUnit.SECONDS);   // ends as soon as the sweep has run
                assertNotNull(outcome, "the sweep did not run");
                assertEquals("succeeded", outcome);
                assertFalse(Arrays.asList(libvirt.connect().listStoragePools()).contains(probe));
            }
        }
    }
}
