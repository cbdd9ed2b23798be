package com.abiquo.aim.libvirt.pool;

import com.abiquo.aim.libvirt.LibvirtErrorReason;
import static java.util.Objects.requireNonNull;

import com.abiquo.aim.core.error.AimException;
import com.abiquo.aim.core.spi.StoragePoolOperations.VolumeInfo;
import com.abiquo.aim.libvirt.connection.Handles;
import io.grpc.Status;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import org.libvirt.Connect;
import org.libvirt.LibvirtException;
import org.libvirt.StoragePool;
import org.libvirt.StorageVol;

/**
 * The volumes of started pools: listed, created, deleted and resized. libvirt itself guards a pool against changes
 * while one of its volumes is worked on, so these calls run outside the pools' lanes.
 */
final class LibvirtVolumes {
    /** virStorageVolResizeFlags: VIR_STORAGE_VOL_RESIZE_SHRINK. */
    static final int RESIZE_SHRINK = 4;
    private static final Set<String> FORMATS = Set.of("raw", "qcow2");

    private final LibvirtCalls calls;

    LibvirtVolumes(LibvirtCalls calls) {
        this.calls = requireNonNull(calls, "calls is null");
    }

    List<VolumeInfo> listVolumes(String poolName) throws AimException {
        Names.existingPoolName(poolName, "pool");
        return calls.call("listing the volumes of storage pool " + poolName, connect ->
                onActivePool(connect, poolName, pool -> {
                    return volumes(poolName, pool);
                }));
    }

    VolumeInfo createVolume(String poolName, String name, long capacityBytes, long allocationBytes, String format)
            throws AimException {
        Names.existingPoolName(poolName, "pool");
        Names.newVolumeName(name, "name");
        String fileFormat = format == null ? "" : format.toLowerCase(Locale.ROOT);
        if (!FORMATS.contains(fileFormat)) {
            throw new AimException(Status.Code.INVALID_ARGUMENT, LibvirtErrorReason.INVALID_VOLUME_FORMAT, "format \"" + format
                    + "\" is not supported (raw or qcow2)", Map.of("field", "format"), null);
        }
        if (capacityBytes <= 0) {
            throw PoolSpecs.sizeError("capacity_bytes", "must be greater than 0");
        }
        if (allocationBytes < 0 || allocationBytes > capacityBytes) {
            throw PoolSpecs.sizeError("allocation_bytes", "must be between 0 and capacity_bytes (" + capacityBytes
                    + ")");
        }
        String xml = PoolXml.volume(name, capacityBytes, allocationBytes, fileFormat);
        return calls.act("creating volume " + name + " in storage pool " + poolName, connect ->
                onActivePool(connect, poolName, pool -> {
                    PoolXml.Definition definition = PoolXml.parsePool(pool.getXMLDesc(0));
                    if (definition.type().startsWith("iscsi")) {
                        throw new AimException(Status.Code.FAILED_PRECONDITION, LibvirtErrorReason.POOL_CANNOT_CREATE_VOLUMES,
                                "storage pool " + poolName + " is an " + definition.type() + " pool: its volumes are"
                                + " the target's LUNs, created on the SAN, not by the node", Map.of("pool", poolName),
                                null);
                    }
                    if (hasVolume(pool, name)) {
                        throw new AimException(Status.Code.ALREADY_EXISTS, LibvirtErrorReason.VOLUME_EXISTS, "volume " + name
                                + " already exists in storage pool " + poolName, Map.of("pool", poolName, "volume",
                                name), null);
                    }
                    return Handles.using(pool.storageVolCreateXML(xml, 0),
                            volume -> volumeInfo(poolName, volume));
                }));
    }

    /** Deleting a volume that is already gone succeeds and returns false (the pool must exist). */
    boolean deleteVolume(String poolName, String name) throws AimException {
        Names.existingPoolName(poolName, "pool");
        Names.existingVolumeName(name, "name");
        return calls.act("deleting volume " + name + " of storage pool " + poolName, connect ->
                onActivePool(connect, poolName, pool -> {
                    if (!hasVolume(pool, name)) {
                        return false;
                    }
                    return Handles.using(pool.storageVolLookupByName(name), volume -> {
                        volume.delete(0);
                        return true;
                    });
                }));
    }

    VolumeInfo resizeVolume(String poolName, String name, long capacityBytes, boolean allowShrink)
            throws AimException {
        Names.existingPoolName(poolName, "pool");
        Names.existingVolumeName(name, "name");
        if (capacityBytes <= 0) {
            throw PoolSpecs.sizeError("capacity_bytes", "must be greater than 0");
        }
        return calls.act("resizing volume " + name + " of storage pool " + poolName, connect ->
                Handles.using(lookupVolume(connect, poolName, name), volume -> {
                    PoolXml.VolumeDefinition definition = PoolXml.parseVolume(volume.getXMLDesc(0));
                    long current = definition.capacityBytes();
                    if (capacityBytes < current && !allowShrink) {
                        throw new AimException(Status.Code.FAILED_PRECONDITION, LibvirtErrorReason.VOLUME_SHRINK_REFUSED, "volume "
                                + name + " of storage pool " + poolName + " has " + current + " bytes; shrinking it"
                                + " to " + capacityBytes + " bytes loses data and is refused unless shrinking is"
                                + " allowed", Map.of("pool", poolName, "volume", name, "capacity_bytes",
                                Long.toString(current)), null);
                    }
                    if (capacityBytes < current && capacityBytes < definition.allocationBytes()) {
                        // libvirt refuses this with an "invalid argument"; the request is fine, the volume's state
                        // is not.
                        throw new AimException(Status.Code.FAILED_PRECONDITION, LibvirtErrorReason.VOLUME_SHRINK_BELOW_ALLOCATION,
                                "volume " + name + " of storage pool " + poolName + " has "
                                + definition.allocationBytes() + " bytes allocated; libvirt cannot shrink it below"
                                + " that (to " + capacityBytes + " bytes)", Map.of("pool", poolName, "volume", name,
                                "allocation_bytes", Long.toString(definition.allocationBytes())), null);
                    }
                    if (capacityBytes != current) {
                        volume.resize(capacityBytes, capacityBytes < current ? RESIZE_SHRINK : 0);
                    }
                    return volumeInfo(poolName, volume);
                }));
    }

    /** The volumes of a pool, by name; {@code poolName} is what they are reported in. */
    static List<VolumeInfo> volumes(String poolName, StoragePool pool) throws LibvirtException, AimException {
        List<VolumeInfo> volumes = new ArrayList<>();
        String[] names = pool.listVolumes();
        Arrays.sort(names);
        for (String name : names) {
            volumes.add(Handles.using(pool.storageVolLookupByName(name), volume -> volumeInfo(poolName,
                    volume)));
        }
        return volumes;
    }

    /** The volume's handle (the caller frees it); NOT_FOUND when the pool or the volume does not exist. */
    private static StorageVol lookupVolume(Connect connect, String poolName, String name)
            throws LibvirtException, AimException {
        return onActivePool(connect, poolName, pool -> {
            if (!hasVolume(pool, name)) {
                throw new AimException(Status.Code.NOT_FOUND, LibvirtErrorReason.VOLUME_NOT_FOUND, "volume " + name
                        + " does not exist in storage pool " + poolName, Map.of("pool", poolName, "volume", name),
                        null);
            }
            return pool.storageVolLookupByName(name);
        });
    }

    /** Work on a pool that exists (NOT_FOUND) and is started (FAILED_PRECONDITION); its handle is freed after. */
    private static <T> T onActivePool(Connect connect, String poolName,
                                      Handles.HandleWork<StoragePool, T> work)
            throws LibvirtException, AimException {
        return Handles.using(PoolHandles.lookupPool(connect, poolName), pool -> {
            requireActive(pool, poolName);
            return work.apply(pool);
        });
    }

    private static boolean hasVolume(StoragePool pool, String name) throws LibvirtException {
        return Arrays.asList(pool.listVolumes()).contains(name);
    }

    private static void requireActive(StoragePool pool, String name) throws LibvirtException, AimException {
        if (pool.isActive() != 1) {
            throw new AimException(Status.Code.FAILED_PRECONDITION, LibvirtErrorReason.POOL_NOT_ACTIVE, "storage pool " + name
                    + " is not active (started)", Map.of("pool", name), null);
        }
    }

    private static VolumeInfo volumeInfo(String poolName, StorageVol volume) throws LibvirtException {
        PoolXml.VolumeDefinition definition = PoolXml.parseVolume(volume.getXMLDesc(0));
        return new VolumeInfo(poolName, definition.name(), definition.key(), definition.path(), definition.format(),
                definition.capacityBytes(), definition.allocationBytes());
    }
}
