package com.abiquo.aim.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.abiquo.aim.core.spi.StoragePoolOperations.PoolInfo;
import com.abiquo.aim.core.spi.StoragePoolOperations.VolumeInfo;
import com.abiquo.aim.libvirt.connection.ConnectionSettings;
import com.abiquo.aim.libvirt.connection.LibvirtConnection;
import com.abiquo.aim.libvirt.pool.LibvirtStoragePools;
import com.abiquo.aim.testing.OutputLines;
import com.abiquo.aim.testing.RecordingHealth;
import com.abiquo.aim.testing.Waits;
import com.abiquo.aim.v1.CreateDiskRequest;
import com.abiquo.aim.v1.CreateStoragePoolRequest;
import com.abiquo.aim.v1.DeleteDiskRequest;
import com.abiquo.aim.v1.DiskFormat;
import com.abiquo.aim.v1.LibvirtServiceGrpc;
import com.abiquo.aim.v1.StoragePool;
import com.abiquo.aim.v1.StoragePoolType;
import com.abiquo.aim.v1.StorageVolume;
import io.grpc.Grpc;
import io.grpc.InsecureChannelCredentials;
import io.grpc.ManagedChannel;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.health.v1.HealthCheckRequest;
import io.grpc.health.v1.HealthCheckResponse.ServingStatus;
import io.grpc.health.v1.HealthGrpc;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;

/**
 * netfs (NFS) storage pools for real. This machine's kernel has no NFS, so a throwaway VM with a stock Debian kernel
 * (src/test/vm-netfs, on aim-network's VM harness) runs a kernel NFS server and libvirtd; AIM runs here as a real
 * process (the launcher, the Netty gRPC server, every module) with [monitor] uri pointing at the guest's libvirtd
 * through a forwarded port. The test calls the Libvirt service's pool and disk RPCs and checks in the guest what a
 * node operator would: the export is mounted at the pool's target, disks are files on the NFS server, a second
 * create of the same pool refreshes it. Listing volumes and deleting the pool have no RPC: the test runs AIM's own
 * LibvirtStoragePools (the code behind the RPCs) for them, over aim-libvirt's LibvirtConnection.
 */
@Tag("system")
class NetfsPoolVmSystemTest {
    private static final long MIB = 1L << 20;
    private static final Pattern LISTENING = Pattern.compile("listening on 127\\.0\\.0\\.1:(\\d+)");

    @Test
    void netfsPoolOnARealNfsExportThroughTheLibvirtService() throws Exception {
        long start = System.nanoTime();
        long pid = ProcessHandle.current().pid();
        Path module = Path.of("").toAbsolutePath();
        Path xfer = module.resolve("target/vm-netfs-" + pid);
        String pool = "aimsrv-netfs-" + pid;
        String target = "/var/lib/aimsrv-netfs-" + pid + "/pool";   // absent in the guest: AIM must make it
        try (NetfsVm vm = NetfsVm.boot(module.resolve("src/test/vm-netfs"), xfer, 170)) {
            // AIM starts while the VM boots: LibvirtService is NOT_SERVING until the guest's libvirtd answers.
            Process aim = startAim(Files.createDirectories(module.resolve("target/vm-netfs-aim-" + pid)),
                    vm.libvirtUri());
            List<String> log = new CopyOnWriteArrayList<>();
            ProcessOutput.follow(aim, log, "aim-netfs-log");
            ManagedChannel channel = null;
            try {
                vm.awaitReady(120);
                long ready = System.nanoTime();
                channel = Grpc.newChannelBuilderForAddress("127.0.0.1", waitForPort(aim, log),
                        InsecureChannelCredentials.create()).build();
                awaitServing(channel, log);
                System.out.printf("netfs VM ready after %d ms, AIM connected to it after %d ms%n",
                        (ready - start) / 1_000_000, (System.nanoTime() - start) / 1_000_000);
                exercise(vm, channel, pool, target);
                System.out.println("guest timeline:\n" + vm.guestLog());
            } catch (Throwable failure) {
                System.out.println("AIM's log:\n" + String.join("\n", log) + "\n" + vm.diagnostics());
                throw failure;
            } finally {
                if (channel != null) {
                    channel.shutdownNow();
                }
                aim.destroy();
                if (!aim.waitFor(20, TimeUnit.SECONDS)) {
                    aim.destroyForcibly();
                }
                deleteTree(module.resolve("target/vm-netfs-aim-" + pid));
            }
        }
        assertFalse(Files.exists(xfer), "the VM's transfer folder is removed");
        System.out.printf("netfs VM test took %d ms%n", (System.nanoTime() - start) / 1_000_000);
    }

    private static void exercise(NetfsVm vm, ManagedChannel channel, String pool, String target) throws Exception {
        var libvirt = LibvirtServiceGrpc.newBlockingStub(channel);
        CreateStoragePoolRequest request = CreateStoragePoolRequest.newBuilder().setName(pool)
                .setType(StoragePoolType.STORAGE_POOL_TYPE_NETFS).setTargetPath(target)
                .setSourceHost(NetfsVm.GUEST_ADDRESS).setSourceDir(NetfsVm.EXPORT).build();

        // Bad input is refused before libvirt sees it, naming the field.
        assertInvalid("source_host", () -> libvirt.createStoragePool(request.toBuilder().clearSourceHost().build()));
        assertInvalid("source_dir", () -> libvirt.createStoragePool(request.toBuilder().clearSourceDir().build()));
        assertInvalid("target_path", () -> libvirt.createStoragePool(request.toBuilder().clearTargetPath().build()));
        assertInvalid("source_dir", () -> libvirt.createStoragePool(request.toBuilder()
                .setSourceDir("srv/relative").build()));

        // Create: defined, started, the export mounted at the target (a folder that did not exist).
        long creating = System.nanoTime();
        StoragePool created = deadline(libvirt).createStoragePool(request).getPool();
        System.out.printf("CreateStoragePool (netfs: define, build, mount, start): %d ms%n",
                (System.nanoTime() - creating) / 1_000_000);
        assertEquals(pool, created.getName());
        assertEquals(StoragePoolType.STORAGE_POOL_TYPE_NETFS, created.getType());
        assertTrue(created.getActive(), created.toString());
        assertEquals(NetfsVm.GUEST_ADDRESS, created.getSourceHost());
        assertEquals(NetfsVm.EXPORT, created.getSource());
        assertEquals(target, created.getTargetPath());
        assertEquals(64 * MIB, created.getCapacityBytes(), "the export is a 64 MiB tmpfs: " + created);
        assertEquals(List.of(NetfsVm.GUEST_ADDRESS + ":" + NetfsVm.EXPORT + " " + target + " nfs"), mounts(vm, target));

        // Disks are files on the NFS server.
        StorageVolume raw = deadline(libvirt).createDisk(CreateDiskRequest.newBuilder().setPool(pool)
                .setName("disk1.img").setCapacityBytes(8 * MIB).setFormat(DiskFormat.DISK_FORMAT_RAW).build())
                .getVolume();
        assertEquals(target + "/disk1.img", raw.getPath());
        assertEquals(8 * MIB, raw.getCapacityBytes());
        assertEquals("raw", raw.getFormat());
        long qcow2Start = System.nanoTime();
        StorageVolume qcow2 = deadline(libvirt).createDisk(CreateDiskRequest.newBuilder().setPool(pool)
                .setName("disk2.qcow2").setCapacityBytes(16 * MIB).setFormat(DiskFormat.DISK_FORMAT_QCOW2).build())
                .getVolume();
        System.out.printf("CreateDisk qcow2 (qemu-img in the guest): %d ms%n",
                (System.nanoTime() - qcow2Start) / 1_000_000);
        assertEquals("qcow2", qcow2.getFormat());
        assertEquals(16 * MIB, qcow2.getCapacityBytes());
        assertEquals(8 * MIB + "", vm.guest("stat -c %s " + NetfsVm.EXPORT + "/disk1.img").trim());
        String info = vm.guest("qemu-img info " + NetfsVm.EXPORT + "/disk2.qcow2");
        assertTrue(info.contains("file format: qcow2") && info.contains("virtual size: 16 MiB"), info);
        StatusRuntimeException again = assertThrows(StatusRuntimeException.class, () -> deadline(libvirt)
                .createDisk(CreateDiskRequest.newBuilder().setPool(pool).setName("disk1.img")
                        .setCapacityBytes(8 * MIB).setFormat(DiskFormat.DISK_FORMAT_RAW).build()));
        assertEquals(Status.Code.ALREADY_EXISTS, again.getStatus().getCode(), again.getMessage());

        try (LibvirtConnection connection = connect(vm.libvirtUri());
             LibvirtStoragePools pools = new LibvirtStoragePools(() -> Optional.of(connection),
                     Duration.ofSeconds(60))) {
            assertEquals(List.of("disk1.img", "disk2.qcow2"), names(pools.listVolumes(pool)));

            // A file written on the NFS server is not in the pool until it is refreshed; creating the same pool again
            // refreshes it (same pool, still one mount), it does not fail.
            vm.guest("truncate -s 4M " + NetfsVm.EXPORT + "/outside.img");
            assertEquals(List.of("disk1.img", "disk2.qcow2"), names(pools.listVolumes(pool)));
            long refreshing = System.nanoTime();
            StoragePool refreshed = deadline(libvirt).createStoragePool(request).getPool();
            System.out.printf("CreateStoragePool again (refresh): %d ms%n",
                    (System.nanoTime() - refreshing) / 1_000_000);
            assertEquals(created.getUuid(), refreshed.getUuid());
            assertTrue(refreshed.getActive());
            assertEquals(List.of("disk1.img", "disk2.qcow2", "outside.img"), names(pools.listVolumes(pool)));
            assertEquals(1, mounts(vm, target).size());

            // The same name for another export is refused, naming what the pool is.
            StatusRuntimeException taken = assertThrows(StatusRuntimeException.class, () -> deadline(libvirt)
                    .createStoragePool(request.toBuilder().setSourceDir("/srv/other").build()));
            assertEquals(Status.Code.ALREADY_EXISTS, taken.getStatus().getCode(), taken.getMessage());
            assertTrue(taken.getMessage().contains(NetfsVm.EXPORT), taken.getMessage());

            // Deleting a disk removes the file from the NFS server; deleting it again succeeds.
            deadline(libvirt).deleteDisk(DeleteDiskRequest.newBuilder().setPool(pool).setName("disk1.img").build());
            assertEquals("disk2.qcow2 outside.img", vm.guest("ls " + NetfsVm.EXPORT).trim().replace('\n', ' '));
            deadline(libvirt).deleteDisk(DeleteDiskRequest.newBuilder().setPool(pool).setName("disk1.img").build());
            assertEquals(List.of("disk2.qcow2", "outside.img"), names(pools.listVolumes(pool)));

            // Deleting the pool unmounts the export and undefines the pool; the data stays on the server.
            pools.deletePool(pool);
            assertEquals(List.of(), mounts(vm, target));
            assertTrue(pools.listPools().stream().map(PoolInfo::name).noneMatch(pool::equals));
            assertEquals("disk2.qcow2 outside.img", vm.guest("ls " + NetfsVm.EXPORT).trim().replace('\n', ' '));
            StatusRuntimeException gone = assertThrows(StatusRuntimeException.class, () -> deadline(libvirt)
                    .createDisk(CreateDiskRequest.newBuilder().setPool(pool).setName("disk3.img")
                            .setCapacityBytes(MIB).setFormat(DiskFormat.DISK_FORMAT_RAW).build()));
            assertEquals(Status.Code.NOT_FOUND, gone.getStatus().getCode(), gone.getMessage());
        }
    }

    private static LibvirtServiceGrpc.LibvirtServiceBlockingStub deadline(
            LibvirtServiceGrpc.LibvirtServiceBlockingStub stub) {
        return stub.withDeadlineAfter(60, TimeUnit.SECONDS);
    }

    private static void assertInvalid(String field, Executable call) {
        StatusRuntimeException error = assertThrows(StatusRuntimeException.class, call);
        assertEquals(Status.Code.INVALID_ARGUMENT, error.getStatus().getCode(), error.getMessage());
        assertTrue(error.getStatus().getDescription().contains(field), error.getMessage());
    }

    /** The guest's mounts on the target, as "source target type". */
    private static List<String> mounts(NetfsVm vm, String target) throws Exception {
        return vm.guest("cat /proc/mounts").lines().map(line -> line.split(" "))
                .filter(fields -> fields.length > 2 && fields[1].equals(target))
                .map(fields -> fields[0] + " " + fields[1] + " " + fields[2]).toList();
    }

    private static List<String> names(List<VolumeInfo> volumes) {
        return volumes.stream().map(VolumeInfo::name).toList();
    }

    private static LibvirtConnection connect(String uri) {
        RecordingHealth ignored = new RecordingHealth(); // not checked here
        LibvirtConnection connection = new LibvirtConnection(new ConnectionSettings(uri, 0, 0, Duration.ofSeconds(1)),
                ignored);
        connection.start(Duration.ofSeconds(30));
        assertTrue(connection.connected(), "cannot connect to " + uri + ": " + connection.lastFailure());
        return connection;
    }

    /** AIM as a real process (its launcher's main), configured like SafeConfig but with the guest's libvirtd. */
    private static Process startAim(Path folder, String libvirtUri) throws Exception {
        Path config = SafeConfig.write(folder, "");
        String text = Files.readString(config);
        assertTrue(text.contains("uri = test:///default"), text);
        Files.writeString(config, text.replace("uri = test:///default",
                "uri = " + libvirtUri + "\nreconnectMaxBackoffSeconds = 1"));
        return new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Djava.util.logging.manager=org.apache.logging.log4j.jul.LogManager",
                "-cp", System.getProperty("java.class.path"), AimMain.class.getName(), "-c", config.toString())
                .redirectErrorStream(true).start();
    }

    private static int waitForPort(Process aim, List<String> log) {
        return Integer.parseInt(OutputLines.awaitMatch(log, LISTENING, Duration.ofSeconds(60), aim).group(1));
    }

    /** Waits until AIM's Libvirt service is SERVING (its connection to the guest's libvirtd is up). */
    private static void awaitServing(ManagedChannel channel, List<String> log) {
        HealthCheckRequest check = HealthCheckRequest.newBuilder().setService("abiquo.aim.v1.LibvirtService").build();
        Waits.await("AIM's LibvirtService to be SERVING", Duration.ofSeconds(60), Duration.ofMillis(100),
                () -> HealthGrpc.newBlockingStub(channel).withDeadlineAfter(5, TimeUnit.SECONDS).check(check)
                        .getStatus() == ServingStatus.SERVING, () -> "AIM's output:\n" + String.join("\n", log));
    }

    private static void deleteTree(Path folder) throws java.io.IOException {
        if (!Files.exists(folder)) {
            return;
        }
        try (var paths = Files.walk(folder)) {
            for (Path path : (Iterable<Path>) paths.sorted(java.util.Comparator.reverseOrder())::iterator) {
                Files.delete(path);
            }
        }
    }
}
