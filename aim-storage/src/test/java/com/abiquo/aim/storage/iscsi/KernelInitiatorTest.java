package com.abiquo.aim.storage.iscsi;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.abiquo.aim.core.command.CommandRunner;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Sessions and LUNs read from a sysfs tree laid out as Linux lays it out for an open-iscsi login. */
class KernelInitiatorTest {
    @TempDir
    Path sysfs;

    @Test
    void readsSessionsAndTheirDisks() throws Exception {
        Path session = sysfs.resolve("devices/platform/host2/session1");
        Path controller = Files.createDirectories(session.resolve("target2:0:0/2:0:0:0"));
        Path disk = Files.createDirectories(session.resolve("target2:0:0/2:0:0:1/block/sdb"));
        Files.writeString(disk.resolve("size"), "131072\n");
        Path classEntry = Files.createDirectories(sysfs.resolve("class/iscsi_session/session1"));
        Files.writeString(classEntry.resolve("targetname"), "iqn.2026-11.test.aim.storage:t1\n");
        Files.createSymbolicLink(classEntry.resolve("device"), session);
        Files.createDirectories(sysfs.resolve("module/iscsi_tcp"));
        assertTrue(Files.isDirectory(controller));

        KernelInitiator kernel = new KernelInitiator(new CommandRunner(), Duration.ofSeconds(5), sysfs);
        assertTrue(kernel.available());
        List<KernelInitiator.Session> sessions = kernel.sessions();
        assertEquals(List.of(new KernelInitiator.Session(1, "iqn.2026-11.test.aim.storage:t1")), sessions);
        assertEquals(List.of(new KernelInitiator.Lun(1, 0, "", 0), new KernelInitiator.Lun(1, 1, "/dev/sdb",
                64L << 20)), kernel.luns(sessions.get(0)));
    }

    @Test
    void aSessionWhoseTargetNameIsNotUtf8DoesNotHideTheOthers() throws Exception {
        Path odd = Files.createDirectories(sysfs.resolve("class/iscsi_session/session1"));
        Files.write(odd.resolve("targetname"), "iqn.2026-11.test.aim.storage:r\u00e9seau\n"
                .getBytes(StandardCharsets.ISO_8859_1));
        Path good = Files.createDirectories(sysfs.resolve("class/iscsi_session/session2"));
        Files.writeString(good.resolve("targetname"), "iqn.2026-11.test.aim.storage:t2\n");
        List<KernelInitiator.Session> sessions = new KernelInitiator(new CommandRunner(), Duration.ofSeconds(5),
                sysfs).sessions();
        assertEquals(2, sessions.size());
        assertFalse(sessions.get(0).targetIqn().equals("iqn.2026-11.test.aim.storage:r\u00e9seau"));
        assertEquals(new KernelInitiator.Session(2, "iqn.2026-11.test.aim.storage:t2"), sessions.get(1));
    }

    @Test
    void afterARescanWaitsForTheKernelToAttachANewDisksBlockDevice() throws Exception {
        Path session = sysfs.resolve("devices/platform/host2/session1");
        Path controller = Files.createDirectories(session.resolve("target2:0:0/2:0:0:0"));
        Files.writeString(controller.resolve("type"), "12\n");   // the target's controller: never a block device
        Path disk = Files.createDirectories(session.resolve("target2:0:0/2:0:0:3"));
        Files.writeString(disk.resolve("type"), "0\n");
        Path classEntry = Files.createDirectories(sysfs.resolve("class/iscsi_session/session1"));
        Files.writeString(classEntry.resolve("targetname"), "iqn.2026-11.test.aim.storage:t1\n");
        Files.createSymbolicLink(classEntry.resolve("device"), session);
        KernelInitiator kernel = new KernelInitiator(new CommandRunner(), Duration.ofSeconds(5), sysfs);
        KernelInitiator.Session one = kernel.sessions().get(0);

        // The sd driver attaches the disk a moment after the scan found it, as Linux does (asynchronous probe).
        Thread attach = new Thread(() -> {
            try {
                Thread.sleep(300); // the scenario, not a wait: the disk's block device comes 300 ms late
                // Appears whole, as sysfs entries do: never a block device without its size.
                Path block = Files.createDirectories(disk.resolve("block.new/sdc"));
                Files.writeString(block.resolve("size"), "65536\n");
                Files.move(disk.resolve("block.new"), disk.resolve("block"), StandardCopyOption.ATOMIC_MOVE);
            } catch (Exception failure) {
                throw new IllegalStateException(failure);
            }
        });
        attach.start();
        assertEquals(List.of(new KernelInitiator.Lun(1, 0, "", 0), new KernelInitiator.Lun(1, 3, "", 0)),
                kernel.luns(one), "read at once, the disk has no block device yet");
        long start = System.nanoTime();
        // the settle time is long so that the bounds below tell "returned when the disk came" from "waited it out"
        // on a loaded machine
        assertEquals(List.of(new KernelInitiator.Lun(1, 0, "", 0), new KernelInitiator.Lun(1, 3, "/dev/sdc",
                32L << 20)), kernel.lunsAfterRescan(one, Duration.ofSeconds(60)));
        assertTrue(System.nanoTime() - start < 30_000_000_000L, "waited for the settle time, not for the disk");
        attach.join();

        // Settled: no wait for the controller, which never gets a block device.
        start = System.nanoTime();
        kernel.lunsAfterRescan(one, Duration.ofSeconds(60));
        assertTrue(System.nanoTime() - start < 30_000_000_000L, "waited for a controller that gets no disk");
    }

    @Test
    void noIscsiInTheKernelMeansNoSessions() throws Exception {
        KernelInitiator kernel = new KernelInitiator(new CommandRunner(), Duration.ofSeconds(5), sysfs);
        assertFalse(kernel.available());
        assertEquals(List.of(), kernel.sessions());
    }

    @Test
    void parsesIscsiadmDiscovery() {
        String output = "127.0.0.1:3260,1 iqn.2026-11.test.aim.storage:a\n"
                + "[fd00::1]:3260,1 iqn.2026-11.test.aim.storage:a\n"
                + "10.0.0.5:3260,2 iqn.2026-11.test.aim.storage:b\n";
        assertEquals(List.of(
                new KernelInitiator.Target("iqn.2026-11.test.aim.storage:a",
                        List.of("127.0.0.1:3260,1", "[fd00::1]:3260,1")),
                new KernelInitiator.Target("iqn.2026-11.test.aim.storage:b", List.of("10.0.0.5:3260,2"))),
                KernelInitiator.parseSendTargets(output));
    }

    @Test
    void parsesIscsiLs() {
        String output = "Target:iqn.2026-11.test.aim.storage:probe Portal:127.0.0.1:3260,1\n"
                + "Target:iqn.2026-11.test.aim.storage:other Portal:127.0.0.1:3260,1\n";
        assertEquals(List.of(
                new KernelInitiator.Target("iqn.2026-11.test.aim.storage:probe", List.of("127.0.0.1:3260,1")),
                new KernelInitiator.Target("iqn.2026-11.test.aim.storage:other", List.of("127.0.0.1:3260,1"))),
                IscsiLs.parse(output));
    }
}
