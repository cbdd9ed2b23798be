package com.abiquo.aim.storage.grpc;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.abiquo.aim.storage.fixture.SlowPortal;
import com.abiquo.aim.storage.fixture.SystemLibvirt;
import com.abiquo.aim.storage.fixture.TgtTarget;
import com.abiquo.aim.testing.Waits;
import com.abiquo.aim.v1.CreateIscsiPoolRequest;
import com.abiquo.aim.v1.CreateIscsiPoolResponse;
import com.abiquo.aim.v1.DiscoverTargetsRequest;
import com.abiquo.aim.v1.DiscoverTargetsResponse;
import com.abiquo.aim.v1.IscsiChap;
import com.abiquo.aim.v1.IscsiPoolKind;
import com.abiquo.aim.v1.ListTargetLunsRequest;
import com.abiquo.aim.v1.ListTargetLunsResponse;
import com.abiquo.aim.v1.RescanTargetsRequest;
import com.abiquo.aim.v1.RescanTargetsResponse;
import com.abiquo.aim.v1.StoragePoolType;
import com.abiquo.aim.v1.StorageVolume;
import com.abiquo.aim.v1.TargetLun;
import com.abiquo.aim.v1.TargetRescan;
import com.abiquo.aim.v1.TargetRescanOutcome;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.function.Executable;
import org.junit.jupiter.api.io.TempDir;

/**
 * The Storage service end to end through its gRPC adapter: a real tgtd target on 127.0.0.1, the node's real
 * libvirtd with libiscsi (iscsi-direct pools). This machine's kernel has no iscsi_tcp: the kernel path is tested in a
 * VM (KernelInitiatorVmSystemTest).
 */
@Tag("system")
class IscsiStorageSystemTest {
    private static final long MIB = 1L << 20;
    @TempDir
    Path folder;
    private SystemLibvirt libvirt;
    private StorageServiceHarness service;
    private TgtTarget target;
    private String poolName;
    private String initiator;

    @BeforeEach
    void setUp() throws Exception {
        libvirt = SystemLibvirt.system();
        target = TgtTarget.create("lun");
        poolName = "aimst-" + target.tid();
        initiator = TgtTarget.IQN_PREFIX + "initiator-" + target.tid();
        Path nameFile = Files.writeString(folder.resolve("initiatorname.iscsi"), "InitiatorName=" + initiator + "\n");
        service = new StorageServiceHarness(true, nameFile, Path.of("/sys"));
    }

    @AfterEach
    void tearDown() throws Exception {
        service.pools.deletePool(poolName);
        service.close();
        target.close();
        libvirt.close();
    }

    private CreateIscsiPoolRequest.Builder pool() {
        return CreateIscsiPoolRequest.newBuilder().setName(poolName).setKind(IscsiPoolKind.ISCSI_POOL_KIND_DIRECT)
                .setPortal("127.0.0.1:3260").setTargetIqn(target.iqn());
    }

    /**
     * libvirt 9.0's iscsi-direct back-end reports a LUN one 512-byte block short (last LBA x block length); pool
     * volume lists carry libvirt's figure, ListTargetLuns the exact one.
     */
    private static long libvirtSize(long bytes) {
        return bytes - 512;
    }

    private static Map<String, Long> sizes(List<StorageVolume> volumes) {
        return volumes.stream().filter(volume -> volume.getCapacityBytes() > 0)
                .collect(Collectors.toMap(StorageVolume::getName, StorageVolume::getCapacityBytes));
    }

    @Test
    void aLunAddedWhileRunningIsSeenAfterARescanAndGoneAfterItsRemoval() throws Exception {
        target.addLun(1, 32 * MIB);
        CreateIscsiPoolResponse created = service.stub.createIscsiPool(pool().build());
        assertTrue(created.getCreated());
        assertEquals(StoragePoolType.STORAGE_POOL_TYPE_ISCSI_DIRECT, created.getPool().getType());
        assertEquals(target.iqn(), created.getPool().getSource());
        assertEquals(Map.of("unit:0:0:1", libvirtSize(32 * MIB)), sizes(created.getVolumesList()));

        target.addLun(2, 48 * MIB);
        RescanTargetsResponse rescan = service.stub.rescanTargets(RescanTargetsRequest.newBuilder()
                .addTargetIqns(target.iqn()).build());
        TargetRescan result = rescan.getTargets(0);
        assertEquals(TargetRescanOutcome.TARGET_RESCAN_OUTCOME_RESCANNED, result.getOutcome());
        assertFalse(result.hasKernel());
        assertEquals(poolName, result.getPools(0).getPool());
        assertTrue(result.getPools(0).getRefreshed());
        assertEquals(Map.of("unit:0:0:1", libvirtSize(32 * MIB), "unit:0:0:2", libvirtSize(48 * MIB)),
                sizes(result.getPools(0).getVolumesList()));

        ListTargetLunsResponse luns = service.stub.listTargetLuns(ListTargetLunsRequest.newBuilder()
                .setPortal("127.0.0.1").setTargetIqn(target.iqn()).build());
        assertEquals(poolName, luns.getPool());
        assertEquals(List.of(lun(1, 32 * MIB), lun(2, 48 * MIB)), luns.getLunsList());

        target.removeLun(2);
        TargetRescan after = service.stub.rescanTargets(RescanTargetsRequest.newBuilder()
                .addTargetIqns(target.iqn().toUpperCase()).addTargetIqns(target.iqn()).build()).getTargets(0);
        assertEquals(Map.of("unit:0:0:1", libvirtSize(32 * MIB)), sizes(after.getPools(0).getVolumesList()));

        CreateIscsiPoolResponse again = service.stub.createIscsiPool(pool().build());
        assertFalse(again.getCreated());
        assertEquals(created.getPool().getUuid(), again.getPool().getUuid());
    }

    @Test
    void listsTheLunsOfATargetWithoutAPoolThroughATemporaryOne() throws Exception {
        target.addLun(1, 16 * MIB);
        target.addLun(3, 24 * MIB);
        ListTargetLunsResponse luns = service.stub.listTargetLuns(ListTargetLunsRequest.newBuilder()
                .setPortal("127.0.0.1:3260").setTargetIqn(target.iqn()).build());
        assertEquals("", luns.getPool());
        assertEquals(List.of(lun(1, 16 * MIB), lun(3, 24 * MIB)), luns.getLunsList());
        assertTrue(Arrays.stream(libvirt.connect().listStoragePools()).noneMatch(name -> name.startsWith("aim-probe-")));
    }

    @Test
    void discoversTheTargetsOfAPortal() throws Exception {
        DiscoverTargetsResponse discovered = service.stub.discoverTargets(DiscoverTargetsRequest.newBuilder()
                .setPortal("127.0.0.1").build());
        assertEquals("iscsi-ls", discovered.getDiscoveredWith());
        assertTrue(discovered.getTargetsList().stream().anyMatch(found -> found.getTargetIqn().equals(target.iqn())
                && found.getPortalsList().contains("127.0.0.1:3260,1")), discovered.toString());
    }

    @Test
    void chapTargetsNeedTheRightPassword() throws Exception {
        String user = "aimst" + target.tid();
        target.requireChap(user, "s3cret-" + target.tid());
        try {
            target.addLun(1, 8 * MIB);
            assertStatus(Status.Code.FAILED_PRECONDITION, () -> service.stub.createIscsiPool(pool().build()));
            assertStatus(Status.Code.FAILED_PRECONDITION, () -> service.stub.createIscsiPool(pool()
                    .setChap(IscsiChap.newBuilder().setUsername(user).setPassword("wrong")).build()));
            assertFalse(hasChapSecret(), "a pool that failed to start leaves no secret behind");
            assertTrue(Arrays.stream(libvirt.connect().listDefinedStoragePools()).noneMatch(poolName::equals));
            CreateIscsiPoolResponse created = service.stub.createIscsiPool(pool()
                    .setChap(IscsiChap.newBuilder().setUsername(user).setPassword("s3cret-" + target.tid())).build());
            assertTrue(created.getCreated());
            assertEquals(Map.of("unit:0:0:1", libvirtSize(8 * MIB)), sizes(created.getVolumesList()));
            String xml = libvirt.connect().storagePoolLookupByName(poolName).getXMLDesc(0);
            assertFalse(xml.contains("s3cret"), "the password must live in a secret, not the pool XML");
            assertTrue(xml.contains("aim-chap-" + poolName), xml);
        } finally {
            service.pools.deletePool(poolName);
            TgtTarget.deleteAccount(user);
        }
        assertFalse(hasChapSecret(), "deleting the pool removes its CHAP secret");
    }

    @Test
    void chapOnAnExistingPoolMustMatchItsAuthentication() throws Exception {
        target.addLun(1, 8 * MIB);
        String user = "aimst" + target.tid();
        IscsiChap chap = IscsiChap.newBuilder().setUsername(user).setPassword("s3cret-" + target.tid()).build();
        assertTrue(service.stub.createIscsiPool(pool().build()).getCreated());

        // CHAP asked for a pool that exists without it: refused, naming the conflict, and nothing changed.
        assertStatus(Status.Code.FAILED_PRECONDITION, () -> service.stub.createIscsiPool(pool().setChap(chap).build()),
                poolName, "no CHAP authentication", user);
        assertFalse(libvirt.connect().storagePoolLookupByName(poolName).getXMLDesc(0).contains("<auth"));
        assertFalse(hasChapSecret(), "a refused request leaves no secret behind");
        // The same source under another name is the same pool: refused too, naming the existing pool.
        assertStatus(Status.Code.FAILED_PRECONDITION, () -> service.stub.createIscsiPool(pool().setName(poolName + "b")
                .setChap(chap).build()), poolName + " (target " + target.iqn());

        service.pools.deletePool(poolName);
        target.requireChap(user, chap.getPassword());
        try {
            assertTrue(service.stub.createIscsiPool(pool().setChap(chap).build()).getCreated());
            assertStatus(Status.Code.FAILED_PRECONDITION, () -> service.stub.createIscsiPool(pool().build()),
                    "CHAP user " + user + " but no CHAP was asked for");
            assertStatus(Status.Code.FAILED_PRECONDITION, () -> service.stub.createIscsiPool(pool().setChap(
                    chap.toBuilder().setUsername(user + "x")).build()), "CHAP user " + user + "x was asked for");
            // The pool's own user: reused and refreshed (a new password would replace the secret's value).
            CreateIscsiPoolResponse again = service.stub.createIscsiPool(pool().setChap(chap).build());
            assertFalse(again.getCreated());
            assertEquals(Map.of("unit:0:0:1", libvirtSize(8 * MIB)), sizes(again.getVolumesList()));
        } finally {
            service.pools.deletePool(poolName);
            TgtTarget.deleteAccount(user);
        }
    }

    @Test
    void aWrongPasswordForAnExistingPoolLeavesThePoolAndItsPasswordAsTheyWere() throws Exception {
        target.addLun(1, 8 * MIB);
        String user = "aimst" + target.tid();
        IscsiChap chap = IscsiChap.newBuilder().setUsername(user).setPassword("s3cret-" + target.tid()).build();
        target.requireChap(user, chap.getPassword());
        try {
            assertTrue(service.stub.createIscsiPool(pool().setChap(chap).build()).getCreated());
            // The pool's own user with a wrong password: refused, and the pool keeps running with its password.
            assertStatus(Status.Code.FAILED_PRECONDITION, () -> service.stub.createIscsiPool(pool().setChap(
                    chap.toBuilder().setPassword("wrong")).build()), poolName, "left as it was", "login");
            assertEquals(1, libvirt.connect().storagePoolLookupByName(poolName).isActive(),
                    "a wrong password stopped the pool");
            // iscsi-direct pools log in at every refresh: this one uses the secret, which still has the password.
            assertEquals(1, service.pools.refreshAndListVolumes(poolName).stream()
                    .filter(volume -> volume.capacityBytes() > 0).count());
            CreateIscsiPoolResponse again = service.stub.createIscsiPool(pool().setChap(chap).build());
            assertFalse(again.getCreated());
            assertTrue(again.getPool().getActive());
            assertEquals(Map.of("unit:0:0:1", libvirtSize(8 * MIB)), sizes(again.getVolumesList()));
            assertEquals(List.of(), probeSecrets(), "the credentials check left its secret behind");
        } finally {
            service.pools.deletePool(poolName);
            TgtTarget.deleteAccount(user);
        }
    }

    @Test
    void anExistingPoolIsNotReusedForAnotherInitiator() throws Exception {
        target.addLun(1, 8 * MIB);
        assertTrue(service.stub.createIscsiPool(pool().build()).getCreated());   // initiator from the name file
        String other = TgtTarget.IQN_PREFIX + "other-" + target.tid();
        assertStatus(Status.Code.FAILED_PRECONDITION, () -> service.stub.createIscsiPool(pool()
                .setInitiatorIqn(other).build()), poolName, initiator, other);
        assertStatus(Status.Code.FAILED_PRECONDITION, () -> service.stub.createIscsiPool(pool().setName(poolName + "b")
                .setInitiatorIqn(other).build()), poolName, initiator, other);
        assertTrue(libvirt.connect().storagePoolLookupByName(poolName).getXMLDesc(0).contains(initiator));
        assertFalse(Arrays.asList(libvirt.connect().listDefinedStoragePools()).contains(poolName + "b"));
        assertFalse(Arrays.asList(libvirt.connect().listStoragePools()).contains(poolName + "b"));
        // The same initiator (IQNs compare without regard to case) reuses the pool.
        assertFalse(service.stub.createIscsiPool(pool().setInitiatorIqn(initiator.toUpperCase()).build()).getCreated());
    }

    @Test
    void listTargetLunsWithChapKeepsThePasswordInAnEphemeralSecret() throws Exception {
        target.addLun(1, 8 * MIB);
        String user = "aimst" + target.tid();
        String password = "s3cret-" + target.tid();
        target.requireChap(user, password);
        // The portal holds the login back so that the probe's secret can be looked at while the call runs.
        try (SlowPortal slow = new SlowPortal(3260, Duration.ofMillis(2500))) {
            CompletableFuture<ListTargetLunsResponse> call = CompletableFuture.supplyAsync(() -> service.stub
                    .listTargetLuns(ListTargetLunsRequest.newBuilder().setPortal("127.0.0.1:" + slow.port())
                            .setTargetIqn(target.iqn()).setChap(IscsiChap.newBuilder().setUsername(user)
                                    .setPassword(password)).build()));
            List<String> seen = Waits.awaitValue("the probe's secret while the call runs", Duration.ofSeconds(30),
                    Waits.POLL, this::probeSecrets, secrets -> !secrets.isEmpty() || call.isDone());
            assertEquals(1, seen.size(), "no probe secret seen while the call ran");
            String uuid = seen.get(0);
            String xml = libvirt.connect().secretLookupByUUIDString(uuid).getXMLDesc();
            assertTrue(xml.contains("ephemeral='yes'") || xml.contains("ephemeral=\"yes\""), xml);
            assertTrue(xml.contains("private='yes'") || xml.contains("private=\"yes\""), xml);
            assertFalse(Files.exists(Path.of("/etc/libvirt/secrets", uuid + ".xml")), "the probe secret is on disk");
            assertFalse(Files.exists(Path.of("/etc/libvirt/secrets", uuid + ".base64")), "the password is on disk");

            ListTargetLunsResponse luns = call.get(60, TimeUnit.SECONDS);
            assertEquals("", luns.getPool());
            assertEquals(List.of(1), luns.getLunsList().stream().map(TargetLun::getLun).toList());
            assertEquals(List.of(), probeSecrets());
            Process virsh = new ProcessBuilder("virsh", "-c", "qemu:///system", "secret-list").redirectErrorStream(true)
                    .start();
            String listed = new String(virsh.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            assertEquals(0, virsh.waitFor(), listed);
            assertFalse(listed.contains("aim-probe"), listed);
            assertFalse(Files.exists(Path.of("/etc/libvirt/secrets", uuid + ".xml")));
        } finally {
            TgtTarget.deleteAccount(user);
        }
    }

    /** UUIDs of the libvirt secrets of ListTargetLuns probes. */
    private List<String> probeSecrets() throws Exception {
        List<String> found = new ArrayList<>();
        for (String uuid : libvirt.connect().listSecrets()) {
            try {
                String usage = libvirt.connect().secretLookupByUUIDString(uuid).getUsageID();
                if (usage != null && usage.startsWith("aim-chap-aim-probe-")) {
                    found.add(uuid);
                }
            } catch (org.libvirt.LibvirtException gone) {
                // removed between the listing and the look-up
            }
        }
        return found;
    }

    private boolean hasChapSecret() throws Exception {
        for (String uuid : libvirt.connect().listSecrets()) {
            if (("aim-chap-" + poolName).equals(libvirt.connect().secretLookupByUUIDString(uuid).getUsageID())) {
                return true;
            }
        }
        return false;
    }

    @Test
    void badInputGetsAPreciseStatusQuickly() throws Exception {
        target.addLun(1, 8 * MIB);
        int closedPort;
        try (ServerSocket socket = new ServerSocket(0)) {
            closedPort = socket.getLocalPort();
        }
        long start = System.nanoTime();
        assertStatus(Status.Code.INVALID_ARGUMENT, () -> service.stub.rescanTargets(RescanTargetsRequest.newBuilder()
                .addTargetIqns(target.iqn()).addTargetIqns("iqn.bad").build()), "target_iqns[1]");
        assertStatus(Status.Code.INVALID_ARGUMENT, () -> service.stub.rescanTargets(
                RescanTargetsRequest.getDefaultInstance()), "target_iqns");
        assertStatus(Status.Code.NOT_FOUND, () -> service.stub.rescanTargets(RescanTargetsRequest.newBuilder()
                .addTargetIqns(TgtTarget.IQN_PREFIX + "nobody").build()), "nobody");
        assertStatus(Status.Code.NOT_FOUND, () -> service.stub.listTargetLuns(ListTargetLunsRequest.newBuilder()
                .setPortal("127.0.0.1").setTargetIqn(TgtTarget.IQN_PREFIX + "nobody").build()), "nobody");
        assertStatus(Status.Code.UNAVAILABLE, () -> service.stub.listTargetLuns(ListTargetLunsRequest.newBuilder()
                .setPortal("127.0.0.1:" + closedPort).setTargetIqn(target.iqn()).build()), "127.0.0.1:" + closedPort);
        assertStatus(Status.Code.UNAVAILABLE, () -> service.stub.discoverTargets(DiscoverTargetsRequest.newBuilder()
                .setPortal("127.0.0.1:" + closedPort).build()), "does not accept connections");
        assertStatus(Status.Code.UNAVAILABLE, () -> service.stub.createIscsiPool(pool()
                .setPortal("127.0.0.1:" + closedPort).build()), "does not accept connections", "(portal)");
        assertStatus(Status.Code.INVALID_ARGUMENT, () -> service.stub.createIscsiPool(pool()
                .setKind(IscsiPoolKind.ISCSI_POOL_KIND_UNSPECIFIED).build()), "kind");
        assertStatus(Status.Code.INVALID_ARGUMENT, () -> service.stub.createIscsiPool(pool()
                .setPortal("127.0.0.1:99999").build()), "portal");
        assertStatus(Status.Code.INVALID_ARGUMENT, () -> service.stub.createIscsiPool(pool()
                .setTargetIqn("iqn.2026-11.x:<a/>").build()), "target_iqn");
        assertStatus(Status.Code.INVALID_ARGUMENT, () -> service.stub.createIscsiPool(pool()
                .setName("../etc").build()), "name");
        long seconds = (System.nanoTime() - start) / 1_000_000_000L;
        assertTrue(seconds < 10, "bad input took " + seconds + " s");
        assertTrue(Arrays.stream(libvirt.connect().listDefinedStoragePools()).noneMatch(poolName::equals));
    }

    @Test
    void aKernelPoolWhereTheKernelCannotLogInIsAFailedPreconditionAndLeavesNothing() throws Exception {
        // This machine's kernel has no iscsi_tcp (the VM test covers kernel pools where it has).
        org.junit.jupiter.api.Assumptions.assumeFalse(Files.isDirectory(Path.of("/sys/module/iscsi_tcp")));
        target.addLun(1, 8 * MIB);
        try {
            assertStatus(Status.Code.FAILED_PRECONDITION, () -> service.stub.createIscsiPool(pool()
                    .setKind(IscsiPoolKind.ISCSI_POOL_KIND_KERNEL).build()), "iscsiadm", target.iqn());
        } finally {
            // libvirt's discovery left a record in open-iscsi's node database: remove it.
            new ProcessBuilder("iscsiadm", "-m", "node", "-T", target.iqn(), "-o", "delete")
                    .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start().waitFor();
        }
        assertTrue(Arrays.stream(libvirt.connect().listDefinedStoragePools()).noneMatch(poolName::equals));
        assertTrue(Arrays.stream(libvirt.connect().listStoragePools()).noneMatch(poolName::equals));
    }

    @Test
    void aPortalThatAcceptsButNeverAnswersCannotHangACall() throws Exception {
        Path nameFile = folder.resolve("initiatorname.iscsi");
        try (ServerSocket silent = new ServerSocket(0);
             StorageServiceHarness quick = new StorageServiceHarness(true, nameFile, Path.of("/sys"),
                     Duration.ofSeconds(3))) {
            String portal = "127.0.0.1:" + silent.getLocalPort();
            long start = System.nanoTime();
            assertStatus(Status.Code.DEADLINE_EXCEEDED, () -> quick.stub.listTargetLuns(ListTargetLunsRequest
                    .newBuilder().setPortal(portal).setTargetIqn(target.iqn()).build()), "did not finish within 3 s");
            assertStatus(Status.Code.DEADLINE_EXCEEDED, () -> quick.stub.discoverTargets(DiscoverTargetsRequest
                    .newBuilder().setPortal(portal).build()), "did not finish within");
            long seconds = (System.nanoTime() - start) / 1_000_000_000L;
            assertTrue(seconds < 10, "two calls to a silent portal took " + seconds + " s");
        }
        // Closing the silent portal ends libiscsi's wait inside libvirtd; the transient pool must not stay behind.
        // until the probe pool is gone (a loaded libvirtd takes its time); the assertion below fails if it stays
        Waits.holdsWithin(Duration.ofSeconds(60), Duration.ofMillis(100), () -> Arrays.stream(libvirt.connect()
                .listStoragePools()).noneMatch(name -> name.startsWith("aim-probe-")));
        assertTrue(Arrays.stream(libvirt.connect().listStoragePools()).noneMatch(name -> name.startsWith("aim-probe-")));
    }

    @Test
    @Timeout(value = 90, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)   // a stuck native call ignores interrupts
    void aPoolCreationThatTimesOutIsCleanedUpOnceLibvirtReturns() throws Exception {
        Path nameFile = folder.resolve("initiatorname.iscsi");
        String user = "aimst" + target.tid();
        StorageServiceHarness quick = new StorageServiceHarness(true, nameFile, Path.of("/sys"),
                Duration.ofSeconds(3));
        try {
            try (ServerSocket silent = new ServerSocket(0)) {
                CreateIscsiPoolRequest request = pool().setPortal("127.0.0.1:" + silent.getLocalPort())
                        .setChap(IscsiChap.newBuilder().setUsername(user).setPassword("pw-" + target.tid())).build();
                long start = System.nanoTime();
                assertStatus(Status.Code.DEADLINE_EXCEEDED, () -> quick.stub.createIscsiPool(request),
                        "creating storage pool " + poolName + " did not finish within 3 s", "removed again");
                // While a pool starts, libvirtd holds every call that lists or looks up pools: a retry gets a
                // prompt DEADLINE_EXCEEDED too, never a stuck request.
                assertStatus(Status.Code.DEADLINE_EXCEEDED, () -> quick.stub.createIscsiPool(request),
                        "creating storage pool " + poolName);
                long seconds = (System.nanoTime() - start) / 1_000_000_000L;
                assertTrue(seconds < 10, "two creations against a silent portal took " + seconds + " s");
            }
            // Closing the silent portal ends libiscsi's wait; then the clean-up runs: no pool, no secret.
            // until the clean-up is done; the assertions below name whatever it left
            Waits.holdsWithin(Duration.ofSeconds(10), Duration.ofMillis(100), () -> !poolExists() && !hasChapSecret());
            assertFalse(poolExists(), "the pool that timed out was not removed");
            assertFalse(hasChapSecret(), "the CHAP secret of the pool that timed out was not removed");
        } finally {
            quick.close();
        }
    }

    private boolean poolExists() throws Exception {
        return Arrays.asList(libvirt.connect().listDefinedStoragePools()).contains(poolName)
                || Arrays.asList(libvirt.connect().listStoragePools()).contains(poolName);
    }

    private static TargetLun lun(int number, long size) {
        return TargetLun.newBuilder().setLun(number).setVolumeName("unit:0:0:" + number).setSizeBytes(size).build();
    }

    private static void assertStatus(Status.Code code, Executable call, String... inMessage) {
        StatusRuntimeException failure = assertThrows(StatusRuntimeException.class, call);
        assertEquals(code, failure.getStatus().getCode(), failure.getStatus().toString());
        for (String text : inMessage) {
            assertTrue(failure.getStatus().getDescription().contains(text), failure.getStatus().getDescription());
        }
    }
}
