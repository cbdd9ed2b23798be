package com.abiquo.aim.libvirt.pool;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.abiquo.aim.core.error.AimException;
import com.abiquo.aim.core.spi.StoragePoolOperations.Chap;
import com.abiquo.aim.core.spi.StoragePoolOperations.PoolSpec;
import com.abiquo.aim.core.spi.StoragePoolOperations.PoolType;
import io.grpc.Status;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** The rules that decide whether an existing pool is reused for a creation, without libvirt. */
class PoolReuseTest {
    private static final String TARGET = "iqn.2026-11.test.aim.storage:t";

    private static PoolXml.Definition existing(PoolSpec spec, Optional<String> chapUsage) {
        return PoolXml.parsePool(PoolXml.pool(spec, spec.name(), chapUsage));
    }

    private static PoolSpec iscsi(String name, String host, int port, String target, String initiator,
                                  Optional<Chap> chap) {
        return new PoolSpec(name, PoolType.ISCSI_DIRECT, "", host, port, "", target, initiator, chap);
    }

    private static PoolSpec dir(String name, String path) {
        return new PoolSpec(name, PoolType.DIR, path, "", 0, "", "", "", Optional.empty());
    }

    @Test
    void aDirPoolIsTheSameSourceForTheSameNormalizedFolderOnly() {
        PoolXml.Definition pool = existing(dir("a", "/var/lib/aim/pool"), Optional.empty());
        assertTrue(PoolReuse.sameSource(pool, dir("b", "/var/lib/aim/./pool/")));
        assertFalse(PoolReuse.sameSource(pool, dir("b", "/var/lib/aim/other")));
        assertFalse(PoolReuse.sameSource(pool, new PoolSpec("b", PoolType.NETFS, "/var/lib/aim/pool", "nfs", 0,
                "/export", "", "", Optional.empty())));
        assertEquals("folder /var/lib/aim/pool", PoolReuse.describe(pool));
    }

    @Test
    void anIscsiPoolIsTheSameSourceForTheSamePortalAndTargetWhateverTheCase() {
        // A pool defined without a port listens on iSCSI's default one.
        PoolXml.Definition pool = new PoolXml.Definition("iscsi-direct", "san", "uuid", "SAN.example", 0, TARGET,
                "", "", "", "", "", "");
        assertTrue(PoolReuse.sameSource(pool, iscsi("x", "san.example", 3260, TARGET.toUpperCase(), "",
                Optional.empty())));
        assertFalse(PoolReuse.sameSource(pool, iscsi("x", "san.example", 3261, TARGET, "", Optional.empty())));
        assertFalse(PoolReuse.sameSource(pool, iscsi("x", "san.example", 3260, TARGET + "2", "",
                Optional.empty())));
        assertEquals("target " + TARGET + " at SAN.example:0", PoolReuse.describe(pool));
    }

    @Test
    void authMustBeTheSameUserWithTheSecretAimKeepsForThePool() {
        Optional<Chap> user = Optional.of(new Chap("user", "old"));
        PoolXml.Definition withChap = existing(iscsi("san", "10.0.0.5", 3260, TARGET, "", user),
                Optional.of(ChapSecrets.chapUsage("san")));
        assertDoesNotThrow(() -> PoolReuse.requireSameAuth(withChap,
                iscsi("san", "10.0.0.5", 3260, TARGET, "", Optional.of(new Chap("user", "new")))));

        AimException otherUser = assertThrows(AimException.class, () -> PoolReuse.requireSameAuth(withChap,
                iscsi("san", "10.0.0.5", 3260, TARGET, "", Optional.of(new Chap("other", "x")))));
        assertEquals(Status.Code.FAILED_PRECONDITION, otherUser.code());
        assertEquals("POOL_AUTH_CONFLICT", otherUser.reason().name());
        assertEquals(Map.of("pool", "san", "field", "chap"), otherUser.metadata());
        assertTrue(otherUser.getMessage().contains("it logs in with CHAP user user but CHAP user other was asked"
                + " for"), otherUser.getMessage());

        AimException none = assertThrows(AimException.class, () -> PoolReuse.requireSameAuth(withChap,
                iscsi("san", "10.0.0.5", 3260, TARGET, "", Optional.empty())));
        assertTrue(none.getMessage().contains("but no CHAP was asked for"), none.getMessage());

        PoolXml.Definition foreignSecret = existing(iscsi("san", "10.0.0.5", 3260, TARGET, "", user),
                Optional.of("someone-elses"));
        AimException foreign = assertThrows(AimException.class, () -> PoolReuse.requireSameAuth(foreignSecret,
                iscsi("san", "10.0.0.5", 3260, TARGET, "", user)));
        assertTrue(foreign.getMessage().contains("a libvirt secret AIM does not manage (usage someone-elses)"),
                foreign.getMessage());

        PoolXml.Definition without = existing(iscsi("san", "10.0.0.5", 3260, TARGET, "", Optional.empty()),
                Optional.empty());
        assertDoesNotThrow(() -> PoolReuse.requireSameAuth(without,
                iscsi("san", "10.0.0.5", 3260, TARGET, "", Optional.empty())));
        AimException asked = assertThrows(AimException.class, () -> PoolReuse.requireSameAuth(without,
                iscsi("san", "10.0.0.5", 3260, TARGET, "", user)));
        assertTrue(asked.getMessage().contains("it has no CHAP authentication but CHAP user user was asked for"),
                asked.getMessage());
    }

    @Test
    void theInitiatorMustBeTheSameIqnOrNoneOnBothSides() {
        String initiator = "iqn.2026-11.test.aim.storage:i";
        PoolXml.Definition named = existing(iscsi("san", "10.0.0.5", 3260, TARGET, initiator, Optional.empty()),
                Optional.empty());
        assertDoesNotThrow(() -> PoolReuse.requireSameInitiator(named,
                iscsi("san", "10.0.0.5", 3260, TARGET, initiator.toUpperCase(), Optional.empty())));
        AimException nodeOwn = assertThrows(AimException.class, () -> PoolReuse.requireSameInitiator(named,
                iscsi("san", "10.0.0.5", 3260, TARGET, null, Optional.empty())));
        assertEquals(Status.Code.FAILED_PRECONDITION, nodeOwn.code());
        assertEquals("POOL_INITIATOR_CONFLICT", nodeOwn.reason().name());
        assertEquals(Map.of("pool", "san", "field", "initiator_iqn"), nodeOwn.metadata());
        assertTrue(nodeOwn.getMessage().contains("it logs in as initiator " + initiator + " and the node's own"
                + " initiator was asked for"), nodeOwn.getMessage());

        PoolXml.Definition kernel = existing(new PoolSpec("k", PoolType.ISCSI, "", "10.0.0.5", 3260, "", TARGET, "",
                Optional.empty()), Optional.empty());
        assertDoesNotThrow(() -> PoolReuse.requireSameInitiator(kernel,
                new PoolSpec("k", PoolType.ISCSI, "", "10.0.0.5", 3260, "", TARGET, "", Optional.empty())));
    }
}
