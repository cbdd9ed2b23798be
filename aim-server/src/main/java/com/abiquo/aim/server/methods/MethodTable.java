package com.abiquo.aim.server.methods;

import com.abiquo.aim.server.calls.CallClass;
import com.abiquo.aim.server.security.Access;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;

/**
 * Every gRPC method AIM serves, written out once with both things the server must know of it: the pool it runs on
 * ({@link CallClass}: a cheap read, a slow action, a copy) and the role a client needs to call it ({@link Access}).
 * A method missing here is refused to every client once [authorization] is set, and AuthorizationTest, which walks
 * every method the server's reflection lists, fails the build: a new RPC never becomes readable, writable or
 * cheap by accident.
 *
 * <p>Readers get what only reads (Get*, List*, Check*, DomainExists, events, NodeService, reflection); operators
 * get everything; health is open to every authenticated client.
 */
public final class MethodTable {
    private static final String AIM = "abiquo.aim.v1.";
    private static final Map<String, MethodClass> METHODS = new HashMap<>();
    private static final Map<String, MethodClass> SERVICES = new HashMap<>();

    static {
        // health, reflection and NodeService run on the server's own pool: a node busy with slow calls must still
        // answer its health checks, or an orchestrator would restart a healthy agent
        SERVICES.put("grpc.health.v1.Health", new MethodClass(CallClass.INFRASTRUCTURE, Access.AUTHENTICATED));
        SERVICES.put("grpc.reflection.v1.ServerReflection", new MethodClass(CallClass.INFRASTRUCTURE, Access.READER));
        SERVICES.put("grpc.reflection.v1alpha.ServerReflection",
                new MethodClass(CallClass.INFRASTRUCTURE, Access.READER));
        SERVICES.put(AIM + "NodeService", new MethodClass(CallClass.INFRASTRUCTURE, Access.READER));

        reads("EventsMonitorService", "Subscribe", "ListEvents",
                // they act on the caller's own stream only (found by its subscription id), never on the node
                "ModifySubscription", "Unsubscribe");
        reads("LibvirtService", "GetNodeInfo", "DomainExists", "GetDomainState", "GetDomainInfo", "ListDomains",
                "GetDomainBlockInfo", "GetDatapoints", "GetStoragePool", "ListStoragePools", "ListStorageVolumes");
        actions("LibvirtService", "DefineDomain", "UndefineDomain", "PowerOnDomain", "PowerOffDomain",
                "ShutdownDomain", "ResetDomain", "PauseDomain", "ResumeDomain", "WakeUpDomain", "CreateStoragePool",
                "CreateDisk", "DeleteDisk", "ResizeVolume", "ResizeDomainDisk", "DeleteStoragePool");
        reads("RimpService", "CheckRimpConfiguration", "GetDatastores", "GetNetInterfaces", "GetDiskFileSize");
        // every change of Rimp's moves image files: minutes of disk I/O, on the copies' pool
        copies("RimpService", "CopyFromRepositoryToDatastore", "DeleteVirtualImageFromDatastore",
                "CopyFromDatastoreToRepository", "InstanceDisk", "RenameDisk", "Upload");
        reads("StorageService", "GetInitiatorIqn", "ListTargetLuns");
        // discovery writes iscsiadm's node records and reaches out to a portal the client names
        actions("StorageService", "RescanTargets", "CreateIscsiPool", "DiscoverTargets");
        reads("VlanService", "CheckVlanConfiguration", "ListVlans");
        actions("VlanService", "CreateVlan", "DeleteVlan", "RestoreVlans");
    }

    private MethodTable() {
    }

    /** What AIM knows of {@code fullMethodName} ("package.Service/Method"); empty when nobody classified it. */
    public static Optional<MethodClass> of(String fullMethodName) {
        MethodClass method = METHODS.get(fullMethodName);
        if (method != null) {
            return Optional.of(method);
        }
        int slash = fullMethodName.indexOf('/');
        return slash < 0 ? Optional.empty() : Optional.ofNullable(SERVICES.get(fullMethodName.substring(0, slash)));
    }

    /** The role a client needs to call the method; empty when nobody classified it (then nobody may). */
    public static Optional<Access> access(String fullMethodName) {
        return of(fullMethodName).map(MethodClass::access);
    }

    /**
     * The pool the method runs on. A method of no AIM service (a module outside this build, such as the tests'
     * probe) has no row: it is judged by its name, a read when it starts with Get, List or Check, else an action.
     */
    public static CallClass callClass(String fullMethodName) {
        return of(fullMethodName).map(MethodClass::callClass).orElseGet(() -> byName(fullMethodName));
    }

    /** Whether the method changes something on the node: what the audit trail records (unknown methods too). */
    public static boolean changesSomething(String fullMethodName) {
        return access(fullMethodName).map(access -> access == Access.OPERATOR).orElse(true);
    }

    private static CallClass byName(String fullMethodName) {
        String method = fullMethodName.substring(fullMethodName.indexOf('/') + 1);
        return method.startsWith("Get") || method.startsWith("List") || method.startsWith("Check") ? CallClass.READ
                : CallClass.ACTION;
    }

    private static void reads(String service, String... methods) {
        put(service, new MethodClass(CallClass.READ, Access.READER), methods);
    }

    private static void actions(String service, String... methods) {
        put(service, new MethodClass(CallClass.ACTION, Access.OPERATOR), methods);
    }

    private static void copies(String service, String... methods) {
        put(service, new MethodClass(CallClass.COPY, Access.OPERATOR), methods);
    }

    private static void put(String service, MethodClass methodClass, String... methods) {
        for (String method : methods) {
            METHODS.put(AIM + service + "/" + method, methodClass);
        }
    }
}
