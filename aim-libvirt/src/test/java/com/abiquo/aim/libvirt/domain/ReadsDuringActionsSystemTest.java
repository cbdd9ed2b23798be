package com.abiquo.aim.libvirt.domain;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.abiquo.aim.libvirt.connection.ConnectionSettings;
import com.abiquo.aim.libvirt.connection.DomainStates;
import com.abiquo.aim.libvirt.connection.LibvirtConnection;
import com.abiquo.aim.testing.RecordingHealth;
import com.abiquo.aim.libvirt.connection.TestDomains;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * Reads are answered while slow actions run: four real KVM domains (32 MiB, no OS) are powered off at once, which
 * takes QEMU a second or two each, while another domain's state is read again and again. When actions and reads
 * shared one libvirt connection, a read waited for a whole power-off (see ConnectionPair); now the slowest read must
 * stay well below the quickest power-off.
 */
@Tag("system")
class ReadsDuringActionsSystemTest {
    private static final int ACTIONS = 4;
    private static final int ROUNDS = 3;

    private final String prefix = "aimtest-act-" + UUID.randomUUID().toString().substring(0, 8) + "-";
    private final List<String> names = new ArrayList<>();
    private final ExecutorService actions = Executors.newFixedThreadPool(ACTIONS);
    private LibvirtConnection connection;
    private DomainOperations operations;

    @BeforeEach
    void connect() {
        connection = new LibvirtConnection(ConnectionSettings.of("qemu:///system"), new RecordingHealth());
        connection.start(Duration.ofSeconds(30));
        assertTrue(connection.connected(), "qemu:///system is not reachable: " + connection.lastFailure()
                + " (run scripts/setup.d/20-libvirt.sh)");
        operations = new DomainOperations(connection);
    }

    @AfterEach
    void cleanUp() throws InterruptedException {
        actions.shutdownNow();
        actions.awaitTermination(30, TimeUnit.SECONDS);
        names.forEach(name -> TestDomains.remove(connection, name));
        connection.close();
    }

    @Test
    void aDomainsStateIsReadWhileFourPowerOffsRun() throws Exception {
        DomainSelector read = define("read");
        List<DomainSelector> slow = new ArrayList<>();
        for (int i = 0; i < ACTIONS; i++) {
            slow.add(define("slow" + i));
        }
        long slowestReadNanos = 0;
        long quickestPowerOffNanos = Long.MAX_VALUE;
        int reads = 0;
        for (int round = 0; round < ROUNDS; round++) {
            List<Future<Integer>> powerOns = new ArrayList<>();
            for (DomainSelector domain : slow) {
                powerOns.add(actions.submit(() -> operations.powerOn(domain)));
            }
            for (Future<Integer> powerOn : powerOns) {
                assertEquals(DomainStates.RUNNING, powerOn.get());
            }
            CountDownLatch allStarted = new CountDownLatch(ACTIONS);
            List<Future<Long>> powerOffs = new ArrayList<>();
            for (DomainSelector domain : slow) {
                powerOffs.add(actions.submit(() -> {
                    allStarted.countDown();
                    long start = System.nanoTime();
                    assertEquals(DomainStates.SHUTOFF, operations.powerOff(domain));
                    return System.nanoTime() - start;
                }));
            }
            allStarted.await();
            while (powerOffs.stream().anyMatch(powerOff -> !powerOff.isDone())) {
                long start = System.nanoTime();
                assertEquals(DomainStates.SHUTOFF, operations.state(read));
                slowestReadNanos = Math.max(slowestReadNanos, System.nanoTime() - start);
                reads++;
            }
            for (Future<Long> powerOff : powerOffs) {
                quickestPowerOffNanos = Math.min(quickestPowerOffNanos, powerOff.get());
            }
        }
        assertTrue(reads >= ROUNDS, "only " + reads + " reads overlapped the power-offs: the test measured nothing");
        assertTrue(slowestReadNanos < quickestPowerOffNanos / 2, "the slowest of " + reads + " reads took "
                + slowestReadNanos / 1_000_000 + " ms while the quickest power-off took "
                + quickestPowerOffNanos / 1_000_000 + " ms: reads wait behind actions");
    }

    private DomainSelector define(String suffix) throws Exception {
        String name = prefix + suffix;
        names.add(name);
        String type = Files.exists(Path.of("/dev/kvm")) ? "kvm" : "qemu";
        operations.define("<domain type='" + type + "'><name>" + name + "</name><memory unit='MiB'>32</memory>"
                + "<vcpu>1</vcpu><os><type arch='x86_64' machine='pc'>hvm</type></os></domain>");
        return DomainSelector.byName(name);
    }
}
