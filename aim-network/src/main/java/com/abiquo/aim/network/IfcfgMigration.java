package com.abiquo.aim.network;

import static java.util.Objects.requireNonNull;

import com.abiquo.aim.core.error.AimException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.Logger;

/**
 * Turns AIM's own ifcfg files into NetworkManager keyfiles, as {@code nmcli connection migrate} does for a node's
 * connections: each bridge and VLAN gets its keyfile, then its ifcfg file is removed (NetworkManager on EL 9 reads
 * both folders, and one interface in two connections would fight). Runs at start-up, before the service serves,
 * when persistence resolves to keyfiles. Idempotent: a keyfile already there is kept, so a migration cut short by a
 * crash finishes at the next start. An ifcfg file that does not read as a VLAN, or whose keyfile describes another
 * VLAN, stays where it is and is logged. Files that AIM did not write are never touched.
 */
final class IfcfgMigration {
    private static final Logger LOG = LogManager.getLogger(IfcfgMigration.class);

    /** What one run did: the ifcfg files turned into keyfiles, and those left with why. */
    record Result(List<String> migrated, List<String> leftBehind) {
        Result {
            migrated = List.copyOf(migrated);
            leftBehind = List.copyOf(leftBehind);
        }
    }

    private final IfcfgFiles ifcfg;
    private final KeyfileFiles keyfiles;

    IfcfgMigration(IfcfgFiles ifcfg, KeyfileFiles keyfiles) {
        this.ifcfg = requireNonNull(ifcfg, "ifcfg is null");
        this.keyfiles = requireNonNull(keyfiles, "keyfiles is null");
    }

    Result migrate() throws AimException {
        List<String> toRemove = new ArrayList<>();
        List<String> leftBehind = new ArrayList<>();
        for (NetworkFiles.VlanFile file : ifcfg.vlanFiles()) {
            if (file.spec().isEmpty()) {
                leftBehind.add(file.fileName() + ": " + file.problem());
                continue;
            }
            VlanSpec spec = file.spec().get();
            String target = keyfiles.vlanFile(spec);
            Optional<String> existing = keyfiles.read(target);
            if (existing.isEmpty()) {
                keyfiles.write(target, keyfiles.vlanText(spec));
            } else if (!keyfiles.readVlanFile(target, existing.get()).spec().equals(Optional.of(spec))) {
                leftBehind.add(file.fileName() + ": " + target + " exists and describes something else");
                continue;
            }
            toRemove.add(file.fileName());
        }
        for (String bridge : ifcfg.aimBridgeNames()) {
            String target = keyfiles.bridgeFile(bridge);
            Optional<String> existing = keyfiles.read(target);
            if (existing.isEmpty()) {
                keyfiles.write(target, keyfiles.bridgeText(bridge));
            } else if (!keyfiles.bridgeProblem(bridge, existing.get()).isEmpty()) {
                leftBehind.add(ifcfg.bridgeFile(bridge) + ": " + target + " exists and describes something else");
                continue;
            }
            toRemove.add(ifcfg.bridgeFile(bridge));
        }
        // only once every keyfile is written: a crash before this point leaves both, and the next start finishes
        for (String name : toRemove) {
            ifcfg.remove(name);
        }
        return new Result(toRemove, leftBehind);
    }

    /** {@link #migrate} with the outcome in the log; never fails (start-up goes on with what is there). */
    void migrateAndLog() {
        try {
            Result result = migrate();
            for (String left : result.leftBehind()) {
                LOG.warn("Migration to keyfiles: {} left in {}", left, ifcfg.folder());
            }
            if (!result.migrated().isEmpty()) {
                LOG.info("Migrated {} ifcfg file(s) of AIM's from {} to NetworkManager keyfiles in {}: {}",
                        result.migrated().size(), ifcfg.folder(), keyfiles.folder(), result.migrated());
                keyfiles.changed();
            }
        } catch (AimException | RuntimeException failure) {
            LOG.error("Migration of AIM's ifcfg files in {} to keyfiles failed: {}", ifcfg.folder(),
                    failure.getMessage());
        }
    }
}
