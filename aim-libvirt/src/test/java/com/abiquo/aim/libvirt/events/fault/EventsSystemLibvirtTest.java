package com.abiquo.aim.libvirt.events.fault;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.abiquo.aim.libvirt.connection.TestDomains;
import com.abiquo.aim.libvirt.events.grpc.StreamCollector;
import com.abiquo.aim.v1.DomainEvent;
import com.abiquo.aim.v1.DomainRef;
import com.abiquo.aim.v1.EventFilter;
import com.abiquo.aim.v1.SubscribeRequest;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/** The service over real TCP on the node's own libvirtd (qemu:///system) with a real KVM domain. */
@Tag("system")
class EventsSystemLibvirtTest {
    private static final Duration WAIT = Duration.ofSeconds(60);

    @Test
    void aKvmDomainsLifeReachesSubscribersOnTheSystemDaemon() throws Exception {
        String name = "aimtest-ev-" + UUID.randomUUID().toString().substring(0, 8) + "-sys";
        String type = Files.exists(Path.of("/dev/kvm")) ? "kvm" : "qemu";
        try (EventsServerHarness aim = EventsServerHarness.libvirt("qemu:///system", Map.of())) {
            try {
                String uuid = aim.connection().call(c -> c.domainDefineXML("<domain type='" + type + "'><name>"
                        + name + "</name><memory unit='MiB'>64</memory>"
                        + "<os><type arch='x86_64' machine='pc'>hvm</type></os>"
                        + "<devices><serial type='pty'/></devices></domain>").getUUIDString());
                // or its DEFINED event may reach the subscriptions opened next
                aim.awaitJournaled(uuid, WAIT);
                StreamCollector byUuid = new StreamCollector();
                StreamCollector byName = new StreamCollector();
                aim.stub(aim.channel()).subscribe(SubscribeRequest.newBuilder().setIncludeSnapshot(true)
                        .setFilter(EventFilter.newBuilder().addDomains(DomainRef.newBuilder().setUuid(uuid)))
                        .build(), byUuid);
                aim.stub(aim.channel()).subscribe(SubscribeRequest.newBuilder()
                        .setFilter(EventFilter.newBuilder().addDomains(DomainRef.newBuilder().setName(name)))
                        .build(), byName);
                byUuid.subscriptionId();
                byName.subscriptionId();
                aim.connection().call(c -> {
                    var domain = c.domainLookupByUUIDString(uuid);
                    domain.create();
                    domain.suspend();
                    domain.resume();
                    domain.destroy();
                    domain.undefine();
                    return null;
                });
                for (StreamCollector client : List.of(byUuid, byName)) {
                    assertTrue(client.awaitEvents(events -> events.stream().anyMatch(
                            e -> e.getKind().name().endsWith("DESTROYED")), WAIT), "got " + client.events());
                    List<String> kinds = client.events().stream().map(DomainEvent::getKind)
                            .map(kind -> kind.name().replace("DOMAIN_EVENT_KIND_", "")).toList();
                    // What libvirt 9.0's QEMU driver reports: RESUMED right before STARTED when a domain boots,
                    // SHUTDOWN ("finished after host request") right before STOPPED/DESTROYED.
                    assertEquals(List.of("RESUMED", "POWERED_ON", "PAUSED", "RESUMED", "SHUTTING_DOWN",
                            "POWERED_OFF", "DESTROYED"), kinds);
                    DomainEvent last = client.events().get(client.events().size() - 1);
                    assertEquals("DOMAIN_STATE_UNDEFINED", last.getState().name());
                    assertEquals(name, last.getDomainName());
                }
                assertTrue(byUuid.messages.copy().stream().anyMatch(m -> m.hasSnapshotDomain()
                        && m.getSnapshotDomain().getDomainUuid().equals(uuid)), "the snapshot holds the domain");
            } finally {
                TestDomains.remove(aim.connection(), name);
            }
        }
    }

    @Test
    void kvmDomainsWithoutADefinitionAreGoneOnceTheyStop() throws Exception {
        String prefix = "aimtest-ev-" + UUID.randomUUID().toString().substring(0, 8);
        String type = Files.exists(Path.of("/dev/kvm")) ? "kvm" : "qemu";
        String xml = "<domain type='" + type + "'><name>%s</name><memory unit='MiB'>64</memory>"
                + "<os><type arch='x86_64' machine='pc'>hvm</type></os><devices><serial type='pty'/></devices></domain>";
        try (EventsServerHarness aim = EventsServerHarness.libvirt("qemu:///system", Map.of())) {
            try {
                StreamCollector client = new StreamCollector();
                aim.stub(aim.channel()).subscribe(SubscribeRequest.getDefaultInstance(), client);
                client.subscriptionId();
                String undefined = aim.connection().call(c -> {
                    var domain = c.domainDefineXML(String.format(xml, prefix + "-undef"));
                    domain.create();
                    domain.undefine(); // it runs on without a definition
                    domain.destroy();
                    return domain.getUUIDString();
                });
                String created = aim.connection().call(c -> {
                    var domain = c.domainCreateXML(String.format(xml, prefix + "-created"), 0);
                    domain.destroy();
                    return domain.getUUIDString();
                });
                for (String uuid : List.of(undefined, created)) {
                    assertTrue(client.awaitEvents(events -> events.stream().anyMatch(e -> e.getDomainUuid()
                            .equals(uuid) && e.getKind().name().endsWith("POWERED_OFF")), WAIT), "got "
                            + client.events());
                    List<String> states = client.events().stream().filter(e -> e.getDomainUuid().equals(uuid))
                            .map(e -> e.getKind().name().replace("DOMAIN_EVENT_KIND_", "") + ":"
                                    + e.getState().name().replace("DOMAIN_STATE_", "")).toList();
                    assertEquals("POWERED_OFF:UNDEFINED", states.get(states.size() - 1), states.toString());
                    assertEquals(1, states.stream().filter(state -> state.endsWith(":UNDEFINED")).count(),
                            states.toString());
                }
                StreamCollector late = new StreamCollector();
                aim.stub(aim.channel()).subscribe(SubscribeRequest.newBuilder().setIncludeSnapshot(true).build(),
                        late);
                assertTrue(late.awaitMessages(m -> m.stream().anyMatch(message -> message.hasSnapshotEnd()), WAIT));
                assertTrue(late.messages.copy().stream().noneMatch(m -> m.hasSnapshotDomain()
                        && List.of(undefined, created).contains(m.getSnapshotDomain().getDomainUuid())),
                        "no ghost in the snapshot");
            } finally {
                TestDomains.remove(aim.connection(), prefix + "-undef");
                TestDomains.remove(aim.connection(), prefix + "-created");
            }
        }
    }

    @Test
    void aKvmDomainRunningWithoutADefinitionBeforeTheAgentStartsIsGoneOnceItStops() throws Exception {
        String name = "aimtest-ev-" + UUID.randomUUID().toString().substring(0, 8) + "-early";
        String type = Files.exists(Path.of("/dev/kvm")) ? "kvm" : "qemu";
        Path xml = Files.createTempFile("aimtest-ev-early", ".xml");
        Files.writeString(xml, "<domain type='" + type + "'><name>" + name + "</name><memory unit='MiB'>64</memory>"
                + "<os><type arch='x86_64' machine='pc'>hvm</type></os><devices><serial type='pty'/></devices>"
                + "</domain>");
        // created (not defined) before the agent runs: only the agent's listing can tell it has no definition
        Process create = new ProcessBuilder("virsh", "-c", "qemu:///system", "create", xml.toString())
                .redirectErrorStream(true).start();
        String output = new String(create.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
        assertEquals(0, create.waitFor(), output);
        Files.delete(xml);
        try (EventsServerHarness aim = EventsServerHarness.libvirt("qemu:///system", Map.of())) {
            try {
                StreamCollector client = new StreamCollector();
                aim.stub(aim.channel()).subscribe(SubscribeRequest.newBuilder().setFilter(EventFilter.newBuilder()
                        .addDomains(DomainRef.newBuilder().setName(name))).build(), client);
                client.subscriptionId();
                aim.connection().call(c -> {
                    c.domainLookupByName(name).destroy();
                    return null;
                });
                assertTrue(client.awaitEvents(events -> events.stream().anyMatch(e -> e.getKind().name()
                        .endsWith("POWERED_OFF")), WAIT), "got " + client.events());
                DomainEvent stopped = client.events().stream().filter(e -> e.getKind().name().endsWith("POWERED_OFF"))
                        .findFirst().orElseThrow();
                assertEquals("DOMAIN_STATE_UNDEFINED", stopped.getState().name());
            } finally {
                TestDomains.remove(aim.connection(), name);
            }
        }
    }
}
