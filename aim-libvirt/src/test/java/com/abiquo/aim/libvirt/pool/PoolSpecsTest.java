package com.abiquo.aim.libvirt.pool;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.abiquo.aim.core.error.AimException;
import com.abiquo.aim.core.spi.StoragePoolOperations.Chap;
import com.abiquo.aim.core.spi.StoragePoolOperations.PoolSpec;
import com.abiquo.aim.core.spi.StoragePoolOperations.PoolType;
import io.grpc.Status;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class PoolSpecsTest {
    private static final String TARGET = "iqn.2026-11.test.aim.storage:t";

    private static PoolSpec iscsi(PoolType type, String host, int port, String target, String initiator,
                                  Optional<Chap> chap) {
        return new PoolSpec("p", type, "", host, port, "", target, initiator, chap);
    }

    @Test
    void fillsDefaults() throws AimException {
        PoolSpec kernel = PoolSpecs.validate(iscsi(PoolType.ISCSI, "san.example.com", 0, TARGET, "",
                Optional.empty()));
        assertEquals(3260, kernel.sourcePort());
        assertEquals("/dev/disk/by-path", kernel.targetPath());
        PoolSpec v6 = PoolSpecs.validate(iscsi(PoolType.ISCSI_DIRECT, "fd00::1", 3261, TARGET, TARGET,
                Optional.empty()));
        assertEquals("fd00::1", v6.sourceHost());
        assertEquals("/var/lib/x", PoolSpecs.validate(new PoolSpec("d", PoolType.DIR, "/var/lib//x/", "", 0, "",
                "", "", Optional.empty())).targetPath());
    }

    @Test
    void refusesWhatLibvirtShouldNeverSee() throws AimException {
        assertInvalid(iscsi(PoolType.ISCSI, "host:3260", 0, TARGET, "", Optional.empty()), "source_host");
        assertInvalid(iscsi(PoolType.ISCSI, "host", 70000, TARGET, "", Optional.empty()), "source_port");
        assertInvalid(iscsi(PoolType.ISCSI, "host", 0, "iqn.bad", "", Optional.empty()), "source_target");
        assertInvalid(iscsi(PoolType.ISCSI_DIRECT, "host", 0, TARGET, "", Optional.empty()), "initiator_iqn");
        assertInvalid(iscsi(PoolType.ISCSI, "host", 0, TARGET, "", Optional.of(new Chap("a b", "x"))),
                "chap.username");
        assertInvalid(iscsi(PoolType.ISCSI, "host", 0, TARGET, "", Optional.of(new Chap("u", ""))), "chap.password");
        // A password without a user name is not "no CHAP": it is refused, naming the missing field.
        assertInvalid(iscsi(PoolType.ISCSI, "host", 0, TARGET, "", Optional.of(new Chap("", "pw"))), "chap.username");
        // Credentials for a pool type that has no CHAP are refused, not dropped.
        assertInvalid(new PoolSpec("d", PoolType.DIR, "/var/d", "", 0, "", "", "", Optional.of(new Chap("u", "pw"))),
                "CHAP credentials (chap) are only for iscsi");
        assertInvalid(new PoolSpec("d", PoolType.DIR, "/var/../etc", "", 0, "", "", "", Optional.empty()),
                "target_path");
        assertInvalid(new PoolSpec("n", PoolType.NETFS, "/mnt/n", "nfs", 0, "export", "", "", Optional.empty()),
                "source_dir");
        // a pool's files can be deleted through AIM: never the system's own folders, or the root
        for (String system : List.of("/", "/etc", "/etc/libvirt", "/usr//lib", "/boot/", "/dev/shm", "/proc/1")) {
            assertInvalid(new PoolSpec("d", PoolType.DIR, system, "", 0, "", "", "", Optional.empty()),
                    "target_path \"" + system + "\" is the root folder or below one of the system's own folders");
            assertInvalid(new PoolSpec("n", PoolType.NETFS, system, "nfs", 0, "/export", "", "", Optional.empty()),
                    "target_path \"" + system + "\" is the root folder");
        }
        // data folders stay allowed, even where a system folder's name appears further down
        assertEquals("/var/lib/libvirt/images/etc", PoolSpecs.validate(new PoolSpec("d", PoolType.DIR,
                "/var/lib/libvirt/images/etc", "", 0, "", "", "", Optional.empty())).targetPath());
        assertInvalid(new PoolSpec("-n", PoolType.DIR, "/x", "", 0, "", "", "", Optional.empty()), "name");
        // AIM's temporary pools (and their CHAP secrets) are removed at start: their names are not for others.
        assertInvalid(new PoolSpec("aim-probe-1", PoolType.DIR, "/x", "", 0, "", "", "", Optional.empty()),
                "is reserved");
        assertInvalid(new PoolSpec("n", null, "/x", "", 0, "", "", "", Optional.empty()), "type");
    }

    private static void assertInvalid(PoolSpec spec, String field) {
        AimException failure = assertThrows(AimException.class, () -> PoolSpecs.validate(spec));
        assertEquals(Status.Code.INVALID_ARGUMENT, failure.code());
        assertTrue(failure.getMessage().contains(field), failure.getMessage());
    }
}
