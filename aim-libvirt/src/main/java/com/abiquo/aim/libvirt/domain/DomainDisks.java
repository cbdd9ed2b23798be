package com.abiquo.aim.libvirt.domain;

import com.abiquo.aim.core.error.AimException;
import com.abiquo.aim.core.path.PathLimits;
import com.abiquo.aim.libvirt.LibvirtErrorReason;
import io.grpc.Status;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.libvirt.Domain;
import org.libvirt.DomainBlockInfo;
import org.libvirt.LibvirtException;

/** A domain's disks as the Libvirt service's disk RPCs name them: checked, found in the domain's XML, measured. */
final class DomainDisks {
    private DomainDisks() {
    }

    /** A disk names a target device (vda) or a path within the kernel's limits. */
    static void check(String disk) throws AimException {
        if (disk == null || disk.isBlank()) {
            throw AimException.invalidArgument(LibvirtErrorReason.DISK_EMPTY,
                    "disk is empty: give a target device (vda) or a path");
        }
        if (disk.startsWith("/")) {
            PathLimits.checkPath(disk, "disk"); // the kernel's limits, for every name of the path
        }
        if (disk.length() > 4096 || disk.chars().anyMatch(Character::isISOControl)) {
            throw AimException.invalidArgument(LibvirtErrorReason.DISK_INVALID,
                    "disk is longer than 4096 characters or contains "
                    + "control characters");
        }
    }

    /** The domain's disk with that target or source; NOT_FOUND naming the disks it has. */
    static DomainXml.Disk find(Domain domain, String disk, DomainSelector selector)
            throws LibvirtException, AimException {
        List<DomainXml.Disk> disks = DomainXml.disks(DomainXml.parse(domain.getXMLDesc(0), "the domain's XML"));
        for (DomainXml.Disk candidate : disks) {
            if (candidate.target().equals(disk) || (!candidate.source().isEmpty() && candidate.source().equals(disk))) {
                return candidate;
            }
        }
        throw new AimException(Status.Code.NOT_FOUND, LibvirtErrorReason.DISK_NOT_FOUND,
                selector.describe() + " has no disk '"
                + disk + "'; its disks: " + (disks.isEmpty() ? "none" : disks.stream()
                .map(d -> d.target() + (d.source().isEmpty() ? "" : " (" + d.source() + ")"))
                .collect(Collectors.joining(", "))), Map.of("disk", disk), null);
    }

    static BlockInfo info(Domain domain, String disk, DomainXml.Disk found) throws LibvirtException {
        DomainBlockInfo info = domain.blockInfo(found.target());
        return new BlockInfo(info.getCapacity(), info.getAllocation(), info.getPhysical(),
                found.source().isEmpty() ? disk : found.source(), found.target());
    }
}
