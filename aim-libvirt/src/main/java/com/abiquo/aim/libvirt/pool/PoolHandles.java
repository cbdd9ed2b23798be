package com.abiquo.aim.libvirt.pool;

import com.abiquo.aim.libvirt.LibvirtErrorReason;
import com.abiquo.aim.core.error.AimException;
import com.abiquo.aim.core.spi.StoragePoolOperations.PoolInfo;
import com.abiquo.aim.libvirt.connection.Handles;
import io.grpc.Status;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.libvirt.Connect;
import org.libvirt.LibvirtException;
import org.libvirt.StoragePool;

/** Finding libvirt's storage pools on a connection and reading what they are. */
final class PoolHandles {
    private PoolHandles() {
    }

    /** Names of all pools, started ones first, then the defined ones that are not started. */
    static Set<String> poolNames(Connect connect) throws LibvirtException {
        Set<String> names = new LinkedHashSet<>(Arrays.asList(connect.listStoragePools()));
        names.addAll(Arrays.asList(connect.listDefinedStoragePools()));
        return names;
    }

    /** The pool's handle (the caller frees it); NOT_FOUND when there is no such pool. */
    static StoragePool lookupPool(Connect connect, String name) throws LibvirtException, AimException {
        if (!poolNames(connect).contains(name)) {
            throw new AimException(Status.Code.NOT_FOUND, LibvirtErrorReason.POOL_NOT_FOUND, "storage pool " + name
                    + " does not exist", Map.of("pool", name), null);
        }
        return connect.storagePoolLookupByName(name);
    }

    /** The definitions of all pools, in the order of {@link #poolNames}. */
    static List<PoolXml.Definition> definitions(Connect connect) throws LibvirtException, AimException {
        List<PoolXml.Definition> definitions = new ArrayList<>();
        for (String name : poolNames(connect)) {
            definitions.add(Handles.using(connect.storagePoolLookupByName(name),
                    pool -> PoolXml.parsePool(pool.getXMLDesc(0))));
        }
        return definitions;
    }

    static PoolInfo info(StoragePool pool) throws LibvirtException {
        return info(pool, PoolXml.parsePool(pool.getXMLDesc(0)));
    }

    /** The pool's info, from its definition the caller has already read (one parse of its XML, not two). */
    static PoolInfo info(StoragePool pool, PoolXml.Definition definition) throws LibvirtException {
        org.libvirt.StoragePoolInfo info = pool.getInfo();
        boolean active = pool.isActive() == 1;
        return new PoolInfo(definition.name(), definition.uuid(), definition.poolType().orElseThrow(), active,
                active ? info.capacity : 0, active ? info.allocation : 0, active ? info.available : 0,
                definition.targetPath(), definition.sourceHost(), definition.source());
    }
}
