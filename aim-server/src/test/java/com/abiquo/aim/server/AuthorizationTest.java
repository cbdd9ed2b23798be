package com.abiquo.aim.server;

import com.abiquo.aim.testing.TestCa;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.abiquo.aim.server.calls.CallClass;
import com.abiquo.aim.server.methods.MethodTable;
import com.abiquo.aim.v1.LibvirtServiceGrpc;
import com.abiquo.aim.v1.ListDomainsRequest;
import com.abiquo.aim.v1.PowerOffDomainRequest;
import com.google.rpc.ErrorInfo;
import io.grpc.ChannelCredentials;
import io.grpc.ManagedChannel;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.health.v1.HealthCheckRequest;
import io.grpc.health.v1.HealthGrpc;
import io.grpc.protobuf.StatusProto;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;
import org.junit.jupiter.api.io.TempDir;

/**
 * Roles over the real Netty server with mutual TLS, every module loaded, and client certificates made by openssl for
 * this test: an operator known by its URI SAN, readers known by a DNS SAN and by their subject DN only, a client of
 * the CA that matches no pattern, one without a certificate, one of another CA and an expired one. Every method the
 * server's reflection lists is called by each of them.
 */
class AuthorizationTest {
    /** What the issue gives readers, written independently of MethodTable so that the two check each other. */
    private static final Set<String> READER_EXTRAS = Set.of("DomainExists", "Subscribe", "ListEvents",
            "ModifySubscription", "Unsubscribe");

    @TempDir
    static Path folder;

    private static TestCa ca;
    private static final Map<String, TestCa.Issued> CLIENTS = new LinkedHashMap<>();
    private static TestCa.Issued foreign;
    private static SecuredServer server;

    @BeforeAll
    static void start() throws Exception {
        ca = TestCa.create(folder.resolve("ca"), "AIM test");
        CLIENTS.put("operator", ca.client("controller", "/CN=ctl", "URI:spiffe://abiquo/controller-1", 2));
        CLIENTS.put("dnsReader", ca.client("nagios", "/CN=nagios", "DNS:nagios.monitor.abiquo.test", 2));
        CLIENTS.put("dnReader", ca.client("auditor", "/O=Abiquo/CN=auditor", "", 2));
        CLIENTS.put("noRole", ca.client("intruder", "/CN=intruder", "DNS:intruder.example.com", 2));
        foreign = TestCa.create(folder.resolve("other"), "Other").client("other", "/CN=ctl",
                "URI:spiffe://abiquo/controller-1", 2);
        server = SecuredServer.start(folder, ca, "readers = *.monitor.abiquo.test, CN=auditor\\,O=Abiquo\n"
                + "operators = spiffe://abiquo/controller-*\n");
    }

    @AfterAll
    static void stop() {
        if (server != null) {
            server.close();
        }
    }

    private static ManagedChannel channel(ChannelCredentials credentials) {
        return server.channel(credentials);
    }

    private static void close(ManagedChannel channel) throws InterruptedException {
        SecuredServer.close(channel);
    }

    private static boolean readerMethod(String fullName) {
        String service = fullName.substring(0, fullName.indexOf('/'));
        String method = fullName.substring(fullName.indexOf('/') + 1);
        return method.startsWith("Get") || method.startsWith("List") || method.startsWith("Check")
                || READER_EXTRAS.contains(method) || service.equals("abiquo.aim.v1.NodeService")
                || service.startsWith("grpc.reflection.") || service.equals("grpc.health.v1.Health");
    }

    private static List<ReflectedMethods.Method> everyMethod() throws Exception {
        ManagedChannel channel = channel(TlsClients.presenting(CLIENTS.get("dnReader"), ca));
        try {
            return ReflectedMethods.list(channel);
        } finally {
            close(channel);
        }
    }

    @Test
    void everyMethodTheServerOffersIsClassified() throws Exception {
        List<ReflectedMethods.Method> methods = everyMethod();
        assertTrue(methods.size() > 40, "reflection listed only " + methods);
        List<String> unclassified = methods.stream().map(ReflectedMethods.Method::fullName)
                .filter(name -> MethodTable.of(name).isEmpty()).toList();
        assertEquals(List.of(), unclassified, "methods nobody gave a call class and a role: add them to MethodTable");
        List<String> misplaced = methods.stream().map(ReflectedMethods.Method::fullName)
                .filter(name -> MethodTable.callClass(name) != expectedCallClass(name))
                .map(name -> name + " runs as " + MethodTable.callClass(name) + ", not " + expectedCallClass(name))
                .toList();
        assertEquals(List.of(), misplaced, "methods on the wrong pool");
    }

    /**
     * The pool issue 16 gives each method, written independently of MethodTable: reads (what readers may call),
     * Rimp's copies, and every other change an action; health, reflection and NodeService on the server's own pool.
     */
    private static CallClass expectedCallClass(String fullName) {
        String service = fullName.substring(0, fullName.indexOf('/'));
        if (service.equals("abiquo.aim.v1.NodeService") || service.startsWith("grpc.")) {
            return CallClass.INFRASTRUCTURE;
        }
        if (readerMethod(fullName)) {
            return CallClass.READ;
        }
        return service.equals("abiquo.aim.v1.RimpService") ? CallClass.COPY : CallClass.ACTION;
    }

    @Test
    void everyMethodUnderEveryRole() throws Exception {
        List<ReflectedMethods.Method> methods = everyMethod();
        List<String> wrong = new ArrayList<>();
        for (Map.Entry<String, TestCa.Issued> client : CLIENTS.entrySet()) {
            ManagedChannel channel = channel(TlsClients.presenting(client.getValue(), ca));
            try {
                for (ReflectedMethods.Method method : methods) {
                    boolean health = method.fullName().startsWith("grpc.health.");
                    boolean allowed = switch (client.getKey()) {
                        case "operator" -> true;
                        case "dnsReader", "dnReader" -> readerMethod(method.fullName());
                        default -> health;
                    };
                    Status status = RawCalls.callEmpty(channel, method.fullName(), method.type(), 1500);
                    boolean refused = status.getCode() == Status.Code.PERMISSION_DENIED
                            || status.getCode() == Status.Code.UNAUTHENTICATED;
                    if (allowed == refused || (refused && status.getCode() != Status.Code.PERMISSION_DENIED)) {
                        wrong.add(client.getKey() + " " + method.fullName() + " -> " + status);
                    }
                }
            } finally {
                close(channel);
            }
        }
        ManagedChannel anonymous = channel(TlsClients.anonymous(ca));
        try {
            for (ReflectedMethods.Method method : methods) {
                Status status = RawCalls.callEmpty(anonymous, method.fullName(), method.type(), 1500);
                if (status.getCode() != Status.Code.UNAUTHENTICATED) {
                    wrong.add("no certificate " + method.fullName() + " -> " + status);
                }
            }
        } finally {
            close(anonymous);
        }
        assertEquals(List.of(), wrong, "calls answered against the roles");
    }

    @Test
    void aRefusalNamesMethodIdentityAndRoleRequired() throws Exception {
        ManagedChannel channel = channel(TlsClients.presenting(CLIENTS.get("dnsReader"), ca));
        try {
            StatusRuntimeException refused = assertRefused(Status.Code.PERMISSION_DENIED, () -> libvirt(channel)
                    .powerOffDomain(PowerOffDomainRequest.getDefaultInstance()));
            String message = refused.getStatus().getDescription();
            assertTrue(message.contains("abiquo.aim.v1.LibvirtService/PowerOffDomain"), message);
            assertTrue(message.contains("nagios.monitor.abiquo.test"), message);
            assertTrue(message.contains("needs role operator"), message);
            assertEquals("ROLE_REQUIRED", errorInfo(refused).getReason());
            assertEquals("reader", errorInfo(refused).getMetadataOrThrow("role"));
        } finally {
            close(channel);
        }
        ManagedChannel stranger = channel(TlsClients.presenting(CLIENTS.get("noRole"), ca));
        try {
            String message = assertRefused(Status.Code.PERMISSION_DENIED, () -> libvirt(stranger)
                    .listDomains(ListDomainsRequest.getDefaultInstance())).getStatus().getDescription();
            assertTrue(message.contains("needs role reader") && message.contains("intruder.example.com")
                    && message.contains("CN=intruder"), message);
            // health stays open to every client of the CA: load balancers and monitoring probes
            HealthGrpc.newBlockingStub(stranger).withDeadlineAfter(10, TimeUnit.SECONDS)
                    .check(HealthCheckRequest.getDefaultInstance());
        } finally {
            close(stranger);
        }
        ManagedChannel anonymous = channel(TlsClients.anonymous(ca));
        try {
            StatusRuntimeException refused = assertRefused(Status.Code.UNAUTHENTICATED, () -> HealthGrpc
                    .newBlockingStub(anonymous).withDeadlineAfter(10, TimeUnit.SECONDS)
                    .check(HealthCheckRequest.getDefaultInstance()));
            assertEquals("CLIENT_CERTIFICATE_REQUIRED", errorInfo(refused).getReason());
        } finally {
            close(anonymous);
        }
    }

    @Test
    void certificatesOfAnotherCaOrExpiredNeverGetAConnection() throws Exception {
        TestCa.Issued expired = ca.client("expired", "/CN=ctl", "URI:spiffe://abiquo/controller-1", -1);
        for (TestCa.Issued refusedCertificate : List.of(foreign, expired)) {
            ManagedChannel channel = channel(TlsClients.presenting(refusedCertificate, ca));
            try {
                Status status = RawCalls.callEmpty(channel, "grpc.health.v1.Health/Check",
                        io.grpc.MethodDescriptor.MethodType.UNARY, 5000);
                // UNAVAILABLE: the handshake failed; UNAUTHENTICATED: the client's TLS library held the certificate
                // back because the server asked for certificates of its CA only. Either way nothing was served.
                assertTrue(status.getCode() == Status.Code.UNAVAILABLE
                        || status.getCode() == Status.Code.UNAUTHENTICATED, refusedCertificate + ": " + status);
            } finally {
                close(channel);
            }
        }
    }

    private static LibvirtServiceGrpc.LibvirtServiceBlockingStub libvirt(ManagedChannel channel) {
        return LibvirtServiceGrpc.newBlockingStub(channel).withDeadlineAfter(10, TimeUnit.SECONDS);
    }

    private static StatusRuntimeException assertRefused(Status.Code code, Executable call) {
        StatusRuntimeException refused = assertThrows(StatusRuntimeException.class, call);
        assertEquals(code, refused.getStatus().getCode(), refused.toString());
        assertFalse(refused.getStatus().getDescription().isBlank());
        return refused;
    }

    private static ErrorInfo errorInfo(StatusRuntimeException exception) throws Exception {
        com.google.rpc.Status details = StatusProto.fromThrowable(exception);
        return details.getDetails(0).unpack(ErrorInfo.class);
    }
}
