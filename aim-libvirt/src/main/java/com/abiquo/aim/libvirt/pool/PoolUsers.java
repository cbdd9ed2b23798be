package com.abiquo.aim.libvirt.pool;

import com.abiquo.aim.libvirt.LibvirtErrorReason;
import com.abiquo.aim.core.error.AimException;
import com.abiquo.aim.libvirt.connection.Handles;
import io.grpc.Status;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.libvirt.Connect;
import org.libvirt.Domain;
import org.libvirt.LibvirtException;
import org.libvirt.StoragePool;

/**
 * Whether stopping a pool would take a volume away from a running domain, checked before a pool is deleted.
 *
 * <p>Stopping a pool does different things by type: a dir pool's files stay where they are, and an iscsi-direct
 * pool's LUNs are opened by QEMU itself, so domains using them run on; but a netfs pool is unmounted, a kernel iscsi
 * pool logged out (its /dev devices vanish), a logical pool's volume group deactivated. Those are refused while an
 * active (running or paused) domain has a disk on the pool: by {@code <source pool=...>}, by a volume's path, or by
 * a file under a netfs/fs pool's mount point.
 */
final class PoolUsers {
    /** Pool types whose volumes stay reachable when the pool stops: plain files, network volumes QEMU opens itself. */
    private static final Set<String> STOP_KEEPS_VOLUMES = Set.of("dir", "iscsi-direct", "rbd", "gluster",
            "sheepdog");
    /** Pool types whose target folder holds the volumes as files (any file under it counts as on the pool). */
    private static final Set<String> FILE_POOLS = Set.of("netfs", "fs");

    private PoolUsers() {
    }

    /** Refuses (FAILED_PRECONDITION POOL_IN_USE) to stop a started pool whose stop would detach a running disk. */
    static void requireStoppable(Connect connect, String name, StoragePool pool, PoolXml.Definition definition)
            throws LibvirtException, AimException {
        if (STOP_KEEPS_VOLUMES.contains(definition.type())) {
            return;
        }
        List<String> users = activeUsers(connect, name, pool, definition);
        if (!users.isEmpty()) {
            throw new AimException(Status.Code.FAILED_PRECONDITION, LibvirtErrorReason.POOL_IN_USE, "storage pool " + name + " ("
                    + definition.type() + ") is in use by running domains: " + String.join(", ", users)
                    + "; stopping it would take these disks away from them. Power the domains off (or move their"
                    + " disks) first; the pool is left as it was", Map.of("pool", name, "domains",
                    String.join(", ", users)), null);
        }
    }

    /** "domain (disk vda: /path)" for each disk of an active domain that is on the pool. */
    private static List<String> activeUsers(Connect connect, String name, StoragePool pool,
                                            PoolXml.Definition definition) throws LibvirtException, AimException {
        Set<String> volumePaths = new HashSet<>();
        for (String volume : pool.listVolumes()) {
            String path = Handles.using(pool.storageVolLookupByName(volume),
                    handle -> PoolXml.parseVolume(handle.getXMLDesc(0)).path());
            volumePaths.add(path);
            volumePaths.add(realPath(path));
        }
        String folder = FILE_POOLS.contains(definition.type()) && !definition.targetPath().isEmpty()
                ? definition.targetPath().replaceAll("/+$", "") + "/" : null;
        List<String> users = new ArrayList<>();
        for (int id : connect.listDomains()) {
            Domain domain;
            try {
                domain = connect.domainLookupByID(id);
            } catch (LibvirtException stopped) {
                continue;   // it stopped since the listing: it uses nothing any more
            }
            Handles.using(domain, handle -> {
                for (PoolXml.DiskSource disk : PoolXml.parseDiskSources(handle.getXMLDesc(0))) {
                    if (uses(disk, name, volumePaths, folder)) {
                        users.add(handle.getName() + " (disk " + disk.target() + ": " + (disk.pool().isEmpty()
                                ? disk.path() : disk.pool() + "/" + disk.volume()) + ")");
                    }
                }
                return null;
            });
        }
        return users;
    }

    private static boolean uses(PoolXml.DiskSource disk, String poolName, Set<String> volumePaths, String folder) {
        if (!disk.pool().isEmpty()) {
            return disk.pool().equals(poolName);
        }
        if (disk.path().isEmpty()) {
            return false;
        }
        return volumePaths.contains(disk.path()) || volumePaths.contains(realPath(disk.path()))
                || (folder != null && disk.path().startsWith(folder));
    }

    /** The path with its links resolved, when it exists on this host (a local daemon's); else the path as given. */
    private static String realPath(String path) {
        try {
            Path file = Path.of(path);
            return Files.exists(file) ? file.toRealPath().toString() : path;
        } catch (IOException | RuntimeException unreadable) {
            return path;
        }
    }
}
