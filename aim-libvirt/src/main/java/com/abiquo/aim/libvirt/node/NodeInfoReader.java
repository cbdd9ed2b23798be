package com.abiquo.aim.libvirt.node;

import static java.util.Objects.requireNonNull;

import com.abiquo.aim.core.error.AimException;
import com.abiquo.aim.libvirt.connection.LibvirtConnection;
import com.abiquo.aim.libvirt.domain.DomainXml;
import org.libvirt.LibvirtException;
import org.libvirt.NodeInfo;

/** Reads {@link NodeFacts} from libvirt. */
public final class NodeInfoReader {
    private final LibvirtConnection connection;

    public NodeInfoReader(LibvirtConnection connection) {
        this.connection = requireNonNull(connection, "connection is null");
    }

    public NodeFacts read() throws AimException {
        return connection.call("reading the node's information", connect -> {
            NodeInfo info = connect.nodeInfo();
            String model;
            try {
                model = DomainXml.hostCpuModel(connect.getCapabilities()).orElse(info.model);
            } catch (LibvirtException noCapabilities) {
                model = info.model;
            }
            long free;
            try {
                free = connect.getFreeMemory();
            } catch (LibvirtException unsupported) {
                free = 0;
            }
            int nodes = Math.max(info.nodes, 1);
            return new NodeFacts(connect.getHostName(), version(connect.getLibVirVersion()), connect.getType(),
                    version(connect.getVersion()), info.sockets * nodes * info.cores, info.sockets, nodes,
                    info.cores, info.threads, info.cpus, info.mhz, model, info.model, info.memory * 1024L, free,
                    connection.uri());
        });
    }

    /** libvirt encodes versions as major * 1,000,000 + minor * 1,000 + release. */
    static String version(long encoded) {
        return (encoded / 1_000_000) + "." + (encoded / 1_000 % 1_000) + "." + (encoded % 1_000);
    }
}
