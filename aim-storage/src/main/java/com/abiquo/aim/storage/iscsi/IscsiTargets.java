package com.abiquo.aim.storage.iscsi;

import static java.util.Objects.requireNonNull;

import com.abiquo.aim.core.command.CommandResult;
import com.abiquo.aim.core.command.CommandRunner;
import com.abiquo.aim.core.error.AimException;
import com.abiquo.aim.core.iscsi.InitiatorName;
import com.abiquo.aim.core.iscsi.Iqn;
import com.abiquo.aim.core.iscsi.Portal;
import com.abiquo.aim.core.spi.StoragePoolOperations.Chap;
import com.abiquo.aim.core.spi.StoragePoolOperations.PoolInfo;
import com.abiquo.aim.core.spi.StoragePoolOperations.PoolType;
import com.abiquo.aim.core.spi.StoragePoolOperations.VolumeInfo;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** What a portal offers: its targets (discovery) and a target's LUNs with exact sizes. */
public final class IscsiTargets {
    /** libiscsi's name for itself, used for discovery when the node has no initiator name yet. */
    static final String FALLBACK_INITIATOR = "iqn.2007-10.com.github:sahlberg:libiscsi:iscsi-ls";
    private static final Pattern LUN_VOLUME = Pattern.compile("unit:[0-9]+:[0-9]+:([0-9]+)");
    private static final Duration CONNECT_TIMEOUT = Duration.ofSeconds(3);

    private final LibvirtPools pools;
    private final KernelInitiator kernel;
    private final IscsiLs iscsiLs;
    private final InitiatorName initiatorName;
    private final CommandRunner commands;
    private final Duration timeout;

    public record Lun(int lun, String volumeName, long sizeBytes) {
    }

    /** @param pool the node's pool the LUNs were read through; empty for a temporary one */
    public record LunListing(List<Lun> luns, String pool) {
    }

    public record Discovery(List<KernelInitiator.Target> targets, String tool) {
    }

    public IscsiTargets(LibvirtPools pools, KernelInitiator kernel, CommandRunner commands,
                        InitiatorName initiatorName, Duration timeout) {
        this.pools = requireNonNull(pools, "pools is null");
        this.kernel = requireNonNull(kernel, "kernel is null");
        this.iscsiLs = new IscsiLs(commands, timeout);
        this.initiatorName = requireNonNull(initiatorName, "initiatorName is null");
        this.commands = requireNonNull(commands, "commands is null");
        this.timeout = requireNonNull(timeout, "timeout is null");
    }

    /**
     * CreateIscsiPool's checks in its own request's terms (portal, target_iqn, initiator_iqn): the pool code it hands
     * over to serves CreateStoragePool too, and its messages name that request's fields (source_host,
     * source_target), which a CreateIscsiPool caller does not have.
     */
    public void requirePoolSource(Portal portal, String targetIqn, String initiatorIqn) throws AimException {
        Iqn.require(targetIqn, "target_iqn");
        if (initiatorIqn != null && !initiatorIqn.isEmpty()) {
            Iqn.require(initiatorIqn, "initiator_iqn");
        }
        portal.requireReachable(CONNECT_TIMEOUT, "portal");
    }

    public LunListing listLuns(String portalText, String targetIqn, String initiatorIqn, Optional<Chap> chap)
            throws AimException {
        Portal portal = Portal.parse(portalText, "portal");
        Iqn.require(targetIqn, "target_iqn");
        String initiator = initiatorIqn == null || initiatorIqn.isEmpty() ? initiatorName.read()
                : Iqn.require(initiatorIqn, "initiator_iqn");
        portal.requireReachable(CONNECT_TIMEOUT, "portal");
        Optional<PoolInfo> existing = pools.get().listPools().stream()
                .filter(pool -> pool.active() && (pool.type() == PoolType.ISCSI || pool.type() == PoolType.ISCSI_DIRECT)
                        && pool.sourceHost().equalsIgnoreCase(portal.host()) && Iqn.same(pool.sourceTarget(), targetIqn))
                .findFirst();
        List<Lun> luns;
        String pool = "";
        if (existing.isPresent()) {
            pool = existing.get().name();
            luns = luns(pools.get().refreshAndListVolumes(pool));
        } else {
            luns = luns(pools.get().probeIscsiVolumes(portal, targetIqn, initiator, chap));
        }
        return new LunListing(chap.isPresent() ? luns : exactSizes(portal, targetIqn, initiator, luns), pool);
    }

    /**
     * libvirt 9.0's libiscsi back-end reports one logical block less than a LUN's size (the last block's address
     * times the block length); iscsi-readcapacity16 gives the exact figure. Without CHAP only: a CHAP password
     * would have to go on its command line. Where the tool fails, libvirt's figure stays.
     */
    private List<Lun> exactSizes(Portal portal, String targetIqn, String initiator, List<Lun> luns) {
        List<Lun> exact = new ArrayList<>();
        for (Lun lun : luns) {
            long size = lun.sizeBytes();
            try {
                CommandResult result = commands.run(List.of("iscsi-readcapacity16", "-s", "-i", initiator,
                        "iscsi://" + portal + "/" + targetIqn + "/" + lun.lun()), timeout);
                if (result.succeeded()) {
                    size = Long.parseLong(result.stdout().strip());
                }
            } catch (AimException | NumberFormatException unavailable) {
                // keep libvirt's figure
            }
            exact.add(new Lun(lun.lun(), lun.volumeName(), size));
        }
        return exact;
    }

    public Discovery discover(String portalText) throws AimException {
        Portal portal = Portal.parse(portalText, "portal");
        portal.requireReachable(CONNECT_TIMEOUT, "portal");
        if (kernel.available()) {
            return new Discovery(kernel.discover(portal), "iscsiadm");
        }
        String initiator;
        try {
            initiator = initiatorName.read();
        } catch (AimException noName) {
            initiator = FALLBACK_INITIATOR;
        }
        return new Discovery(iscsiLs.discover(portal, initiator), "iscsi-ls");
    }

    /** Disk LUNs by number; controller LUNs (no capacity, e.g. tgtd's LUN 0) are left out. */
    static List<Lun> luns(List<VolumeInfo> volumes) {
        List<Lun> luns = new ArrayList<>();
        for (VolumeInfo volume : volumes) {
            Matcher name = LUN_VOLUME.matcher(volume.name());
            if (name.matches() && volume.capacityBytes() > 0) {
                luns.add(new Lun(Integer.parseInt(name.group(1)), volume.name(), volume.capacityBytes()));
            }
        }
        luns.sort(Comparator.comparingInt(Lun::lun));
        return luns;
    }
}
