package com.abiquo.aim.server.security;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The role every gRPC method needs, written out method by method: a method missing here is refused to everyone
 * (and MethodAccessTest, which walks every method the server registers, fails), so a new RPC never becomes readable
 * or writable by accident. Readers get what only reads (Get*, List*, Check*, DomainExists, events, NodeService,
 * reflection); operators get everything; health is open to every authenticated client.
 */
public final class MethodAccess {
    private static final String AIM = "abiquo.aim.v1.";
    private static final Map<String, Access> METHODS = new HashMap<>();
    private static final Map<String, Access> SERVICES = new HashMap<>();

    static {
        SERVICES.put("grpc.health.v1.Health", Access.AUTHENTICATED);
        SERVICES.put("grpc.reflection.v1.ServerReflection", Access.READER);
        SERVICES.put("grpc.reflection.v1alpha.ServerReflection", Access.READER);
        SERVICES.put(AIM + "NodeService", Access.READER);

        readers("EventsMonitorService", "Subscribe", "ListEvents",
                // they act on the caller's own stream only (found by its subscription id), never on the node
                "ModifySubscription", "Unsubscribe");
        readers("LibvirtService", "GetNodeInfo", "DomainExists", "GetDomainState", "GetDomainInfo", "ListDomains",
                "GetDomainBlockInfo", "GetDatapoints", "GetStoragePool", "ListStoragePools", "ListStorageVolumes");
        operators("LibvirtService", "DefineDomain", "UndefineDomain", "PowerOnDomain", "PowerOffDomain",
                "ShutdownDomain", "ResetDomain", "PauseDomain", "ResumeDomain", "WakeUpDomain", "CreateStoragePool",
                "CreateDisk", "DeleteDisk", "ResizeVolume", "ResizeDomainDisk", "DeleteStoragePool");
        readers("RimpService", "CheckRimpConfiguration", "GetDatastores", "GetNetInterfaces", "GetDiskFileSize");
        operators("RimpService", "CopyFromRepositoryToDatastore", "DeleteVirtualImageFromDatastore",
                "CopyFromDatastoreToRepository", "InstanceDisk", "RenameDisk", "Upload");
        readers("StorageService", "GetInitiatorIqn", "ListTargetLuns");
        // discovery writes iscsiadm's node records and reaches out to a portal the client names
        operators("StorageService", "RescanTargets", "CreateIscsiPool", "DiscoverTargets");
        readers("VlanService", "CheckVlanConfiguration", "ListVlans");
        operators("VlanService", "CreateVlan", "DeleteVlan", "RestoreVlans");
    }

    private MethodAccess() {
    }

    /** The access {@code fullMethodName} ("package.Service/Method") needs; empty when nobody classified it. */
    public static Optional<Access> of(String fullMethodName) {
        Access method = METHODS.get(fullMethodName);
        if (method != null) {
            return Optional.of(method);
        }
        int slash = fullMethodName.indexOf('/');
        return slash < 0 ? Optional.empty() : Optional.ofNullable(SERVICES.get(fullMethodName.substring(0, slash)));
    }

    /** Whether the method changes something on the node: what the audit trail records. */
    public static boolean changesSomething(String fullMethodName) {
        return of(fullMethodName).map(access -> access == Access.OPERATOR).orElse(true);
    }

    private static void readers(String service, String... methods) {
        put(service, Access.READER, methods);
    }

    private static void operators(String service, String... methods) {
        put(service, Access.OPERATOR, methods);
    }

    private static void put(String service, Access access, String... methods) {
        for (String method : List.of(methods)) {
            METHODS.put(AIM + service + "/" + method, access);
        }
    }
}
