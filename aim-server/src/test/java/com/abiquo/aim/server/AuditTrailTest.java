package com.abiquo.aim.server;

import com.abiquo.aim.testing.TestCa;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.abiquo.aim.v1.CreateStoragePoolRequest;
import com.abiquo.aim.v1.DefineDomainRequest;
import com.abiquo.aim.v1.DeleteVlanRequest;
import com.abiquo.aim.v1.DomainRef;
import com.abiquo.aim.v1.LibvirtServiceGrpc;
import com.abiquo.aim.v1.ListDomainsRequest;
import com.abiquo.aim.v1.PowerOffDomainRequest;
import com.abiquo.aim.v1.StoragePoolType;
import com.abiquo.aim.v1.VlanServiceGrpc;
import io.grpc.ManagedChannel;
import io.grpc.StatusRuntimeException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The audit trail as an operator reads it: lines filed by the machine's real rsyslog under the ident
 * abiquo-aim-audit (scripts/setup.d/00-base.sh files that ident in /var/log/abiquo-aim-audit.log), one per call that
 * changes something or was refused, with identity, method, key arguments, status and duration, and no secret.
 */
@Tag("system")
class AuditTrailTest {
    private static final Path FILED = Path.of("/var/log/abiquo-aim-audit.log");

    @TempDir
    Path folder;

    @Test
    void changesAndRefusalsAreFiledOnceWithoutSecrets() throws Exception {
        assertTrue(Files.exists(Path.of("/etc/rsyslog.d/41-abiquo-aim-audit.conf")),
                "the audit rule of scripts/setup.d/00-base.sh is missing: run scripts/setup");
        String nonce = UUID.randomUUID().toString().substring(0, 8);
        TestCa ca = TestCa.create(folder.resolve("ca"), "Audit");
        TestCa.Issued controller = ca.client("controller", "/CN=ctl", "URI:spiffe://abiquo/controller-" + nonce, 2);
        TestCa.Issued monitor = ca.client("nagios", "/CN=nagios", "DNS:nagios-" + nonce + ".monitor.test", 2);
        String chapSecret = "chap-" + nonce + "-secret";
        String vncPassword = "vnc-" + nonce + "-password";
        try (SecuredServer server = SecuredServer.start(folder, ca,
                "readers = *.monitor.test\noperators = spiffe://abiquo/*\n")) {
            ManagedChannel reader = server.channel(monitor);
            ManagedChannel operator = server.channel(controller);
            try {
                // read: not audited
                LibvirtServiceGrpc.newBlockingStub(reader).withDeadlineAfter(30, TimeUnit.SECONDS)
                        .listDomains(ListDomainsRequest.getDefaultInstance());
                // refused: audited with the reader's identity (not its arguments: the call ends before they are read)
                assertThrows(StatusRuntimeException.class, () -> VlanServiceGrpc.newBlockingStub(reader)
                        .withDeadlineAfter(30, TimeUnit.SECONDS)
                        .deleteVlan(DeleteVlanRequest.newBuilder().setBridge("abiquo_" + nonce).build()));
                LibvirtServiceGrpc.LibvirtServiceBlockingStub libvirt = LibvirtServiceGrpc.newBlockingStub(operator)
                        .withDeadlineAfter(30, TimeUnit.SECONDS);
                // libvirt's test driver has a running domain "test": a real power action
                libvirt.powerOffDomain(PowerOffDomainRequest.newBuilder()
                        .setDomain(DomainRef.newBuilder().setName("test")).build());
                assertThrows(StatusRuntimeException.class, () -> libvirt.createStoragePool(CreateStoragePoolRequest
                        .newBuilder().setName("pool-" + nonce).setType(StoragePoolType.STORAGE_POOL_TYPE_ISCSI)
                        .setChapUsername("user").setChapSecret(chapSecret).build()));
                assertThrows(StatusRuntimeException.class, () -> libvirt.defineDomain(DefineDomainRequest
                        .newBuilder().setXml("<domain type='kvm'><name>vm-" + nonce + "</name><devices>"
                                + "<graphics type='vnc' passwd='" + vncPassword + "'/></devices>").build()));
            } finally {
                SecuredServer.close(reader);
                SecuredServer.close(operator);
            }
        }
        String tag = "abiquo-aim-audit[" + ProcessHandle.current().pid() + "]: ";
        String refused = waitForLine(tag, "nagios-" + nonce);
        assertTrue(refused.contains("method=abiquo.aim.v1.VlanService/DeleteVlan status=PERMISSION_DENIED"), refused);
        // other tests of this JVM power domains off too: this test's call is the one with its controller's identity
        String powerOff = waitForLine(tag + "identity=\"spiffe://abiquo/controller-" + nonce, "/PowerOffDomain");
        assertTrue(powerOff.contains("identity=\"spiffe://abiquo/controller-" + nonce + "\""), powerOff);
        assertTrue(powerOff.contains("status=OK duration_ms=") && powerOff.contains("domain.name=\"test\""),
                powerOff);
        assertTrue(powerOff.contains("peer=\"/127.0.0.1:"), powerOff);
        String pool = waitForLine(tag, "pool-" + nonce);
        assertTrue(pool.contains("method=abiquo.aim.v1.LibvirtService/CreateStoragePool status=INVALID_ARGUMENT"),
                pool);
        waitForLine(tag, "LibvirtService/DefineDomain");
        List<String> ours = Files.readAllLines(FILED).stream().filter(line -> line.contains(tag)
                && line.contains(nonce) || line.contains(tag) && line.contains("/DefineDomain")).toList();
        for (String line : ours) {
            assertFalse(line.contains(chapSecret) || line.contains(vncPassword), "a secret reached the audit: " + line);
        }
        assertTrue(Files.readAllLines(FILED).stream().noneMatch(line -> line.contains(tag)
                && line.contains("nagios-" + nonce) && line.contains("ListDomains")), "a read was audited");
        assertTrue(Files.readAllLines(FILED).stream().filter(line -> line.contains(tag)
                && line.contains("controller-" + nonce) && line.contains("/PowerOffDomain")).count() == 1,
                "the power action was not filed exactly once");
    }

    private static String waitForLine(String tag, String text) {
        return FiledLines.waitForLine(FILED, tag, text, Duration.ofSeconds(30));
    }
}
