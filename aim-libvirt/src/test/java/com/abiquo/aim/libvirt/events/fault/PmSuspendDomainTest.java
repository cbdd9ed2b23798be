package com.abiquo.aim.libvirt.events.fault;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.abiquo.aim.libvirt.connection.TestDomains;
import com.abiquo.aim.libvirt.domain.DomainOperations;
import com.abiquo.aim.libvirt.events.grpc.StreamCollector;
import com.abiquo.aim.libvirt.metrics.MetricKind;
import com.abiquo.aim.libvirt.metrics.MetricsCollector;
import com.abiquo.aim.libvirt.metrics.MetricsStore;
import com.abiquo.aim.libvirt.node.NodeInfoReader;
import com.abiquo.aim.libvirt.service.LibvirtGrpcService;
import com.abiquo.aim.testing.Waits;
import com.abiquo.aim.v1.DefineDomainRequest;
import com.abiquo.aim.v1.DomainEvent;
import com.abiquo.aim.v1.DomainEventKind;
import com.abiquo.aim.v1.DomainRef;
import com.abiquo.aim.v1.DomainSnapshot;
import com.abiquo.aim.v1.DomainState;
import com.abiquo.aim.v1.EventFilter;
import com.abiquo.aim.v1.GetDomainInfoRequest;
import com.abiquo.aim.v1.GetDomainStateRequest;
import com.abiquo.aim.v1.LibvirtDomainInfo;
import com.abiquo.aim.v1.LibvirtServiceGrpc;
import com.abiquo.aim.v1.ListDomainsRequest;
import com.abiquo.aim.v1.PowerOffDomainRequest;
import com.abiquo.aim.v1.PowerOnDomainRequest;
import com.abiquo.aim.v1.ResumeDomainRequest;
import com.abiquo.aim.v1.SubscribeRequest;
import com.abiquo.aim.v1.SubscribeResponse;
import com.abiquo.aim.v1.UndefineDomainRequest;
import com.abiquo.aim.v1.WakeUpDomainRequest;
import io.grpc.ManagedChannel;
import io.grpc.Server;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.inprocess.InProcessChannelBuilder;
import io.grpc.inprocess.InProcessServerBuilder;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import java.util.stream.Stream;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * A guest that suspends itself to RAM, on the node's own libvirtd (qemu:///system), seen through the real
 * EventsMonitor gRPC service: no guest agent is involved. The guest is the stock Debian kernel of aim-network's VM kit
 * with a busybox initramfs (src/test/vm-pm/) whose init writes "mem" to /sys/power/state. QEMU then reports SUSPEND,
 * which libvirt turns into the lifecycle event PMSUSPENDED/MEMORY and the state PMSUSPENDED; virDomainPMWakeup
 * (virsh dompmwakeup) makes QEMU resume the guest, reported as STARTED/WAKEUP.
 *
 * <p>The guest runs under TCG (type='qemu') even where /dev/kvm exists: this machine's nested KVM boots firmware but
 * not a Linux kernel (the vCPU spins before the first console line), see the shared real-components notes.
 */
@Tag("system")
class PmSuspendDomainTest {
    // Bounds of waits that end as soon as what they wait for happens: a TCG guest and the system libvirtd on a loaded
    // two-core machine may take many times their usual seconds, and a long bound costs nothing when it holds.
    private static final Duration SUSPEND_WAIT = Duration.ofSeconds(120);
    private static final Duration WAKE_WAIT = Duration.ofSeconds(60);
    private static final Duration EVENT_WAIT = Duration.ofSeconds(60);

    @Test
    void aGuestThatSuspendsItselfToRamIsPmsuspendedAndWakesUpWithoutAnAgent() throws Exception {
        Path kit = prepareKit();
        String name = "aimtest-pm-" + UUID.randomUUID().toString().substring(0, 8);
        Path work = Files.createTempDirectory(name + "-");
        Path console = work.resolve("console.log");
        try (EventsServerHarness aim = EventsServerHarness.libvirt("qemu:///system", Map.of());
             LibvirtService libvirt = new LibvirtService(aim)) {
            try {
                StreamCollector watcher = new StreamCollector();
                aim.stub(aim.channel()).subscribe(SubscribeRequest.newBuilder()
                        .setFilter(EventFilter.newBuilder().addDomains(DomainRef.newBuilder().setName(name)))
                        .build(), watcher);
                watcher.subscriptionId();
                DomainRef ref = DomainRef.newBuilder().setName(name).build();

                String uuid = libvirt.stub.defineDomain(DefineDomainRequest.newBuilder()
                        .setXml(domainXml(name, kit, console)).build()).getDomain().getUuid();
                long t0 = System.nanoTime();
                assertEquals(DomainState.DOMAIN_STATE_RUNNING,
                        libvirt.stub.powerOnDomain(PowerOnDomainRequest.newBuilder().setDomain(ref).build())
                                .getState());

                // The guest boots (a few seconds of TCG) and suspends itself.
                DomainEvent suspended = awaitEvent(watcher, "PMSUSPENDED/MEMORY", SUSPEND_WAIT, console);
                long suspendedAt = System.nanoTime();
                assertEquals(DomainEventKind.DOMAIN_EVENT_KIND_PMSUSPENDED, suspended.getKind());
                assertEquals(7, suspended.getLibvirtEventType());   // VIR_DOMAIN_EVENT_PMSUSPENDED
                assertEquals(0, suspended.getLibvirtEventDetail()); // VIR_DOMAIN_EVENT_PMSUSPENDED_MEMORY
                assertEquals(DomainState.DOMAIN_STATE_PMSUSPENDED, suspended.getState());
                assertEquals(uuid, suspended.getDomainUuid());
                assertEquals(name, suspended.getDomainName());
                assertEquals(false, suspended.getResync());
                // Define, start (QEMU: CPUs resumed, then booted), the guest's own suspend: nothing else.
                assertEquals(List.of("CREATED DEFINED/ADDED", "RESUMED RESUMED/UNPAUSED", "POWERED_ON STARTED/BOOTED",
                        "PMSUSPENDED PMSUSPENDED/MEMORY"), describe(watcher.events()), console(console));

                // What the Libvirt service says of the suspended domain, and what a new subscriber's snapshot says.
                assertEquals(DomainState.DOMAIN_STATE_PMSUSPENDED, libvirt.stub.getDomainState(
                        GetDomainStateRequest.newBuilder().setDomain(ref).build()).getState());
                assertEquals(DomainState.DOMAIN_STATE_PMSUSPENDED, libvirt.stub.getDomainInfo(
                        GetDomainInfoRequest.newBuilder().setDomain(ref).build()).getDomain().getState());
                assertEquals(List.of(DomainState.DOMAIN_STATE_PMSUSPENDED), libvirt.stub.listDomains(
                        ListDomainsRequest.getDefaultInstance()).getDomainsList().stream()
                        .filter(d -> d.getName().equals(name)).map(LibvirtDomainInfo::getState).toList());
                // A metrics round reads every running domain's info, this one included.
                try (MetricsCollector collector = new MetricsCollector(aim.connection(), libvirt.metrics,
                        Duration.ofSeconds(60), Duration.ofSeconds(30), Clock.systemUTC())) {
                    assertTrue(collector.collectOnce() >= 1);
                }
                assertTrue(libvirt.metrics.query(uuid, 0).stream()
                        .anyMatch(m -> m.kind() == MetricKind.VCPUS && m.datapoints().get(0).value() == 1),
                        libvirt.metrics.query(uuid, 0).toString());
                StreamCollector late = new StreamCollector();
                aim.stub(aim.channel()).subscribe(SubscribeRequest.newBuilder().setIncludeSnapshot(true)
                        .setFilter(EventFilter.newBuilder().addDomains(DomainRef.newBuilder().setUuid(uuid)))
                        .build(), late);
                assertTrue(late.awaitMessages(list -> list.stream().anyMatch(SubscribeResponse::hasSnapshotEnd),
                        EVENT_WAIT), "no snapshot: " + late.messages.copy());
                List<DomainSnapshot> snapshot = late.messages.copy().stream()
                        .filter(SubscribeResponse::hasSnapshotDomain).map(SubscribeResponse::getSnapshotDomain)
                        .toList();
                assertEquals(1, snapshot.size(), snapshot.toString());
                assertEquals(DomainState.DOMAIN_STATE_PMSUSPENDED, snapshot.get(0).getState());

                // An agent that starts while the guest sleeps learns the state from its listing of the domains, not
                // from an event.
                try (EventsServerHarness fresh = EventsServerHarness.libvirt("qemu:///system", Map.of())) {
                    StreamCollector first = new StreamCollector();
                    fresh.stub(fresh.channel()).subscribe(SubscribeRequest.newBuilder().setIncludeSnapshot(true)
                            .setFilter(EventFilter.newBuilder().addDomains(DomainRef.newBuilder().setName(name)))
                            .build(), first);
                    assertTrue(first.awaitMessages(list -> list.stream().anyMatch(SubscribeResponse::hasSnapshotEnd),
                            EVENT_WAIT), "no snapshot: " + first.messages.copy());
                    assertTrue(first.messages.get(0).getStarted().getSourceConnected());
                    assertEquals(List.of(DomainState.DOMAIN_STATE_PMSUSPENDED), first.messages.copy().stream()
                            .filter(SubscribeResponse::hasSnapshotDomain)
                            .map(m -> m.getSnapshotDomain().getState()).toList());
                }

                // ResumeDomain is for paused domains; libvirt refuses it for a PM-suspended one ("domain is
                // pmsuspended", OPERATION_INVALID): a precondition, not an internal error.
                StatusRuntimeException refused = assertThrows(StatusRuntimeException.class, () -> libvirt.stub
                        .resumeDomain(ResumeDomainRequest.newBuilder().setDomain(ref).build()));
                assertEquals(Status.Code.FAILED_PRECONDITION, refused.getStatus().getCode(), refused.toString());

                // WakeUpDomain: a key press for the sleeping guest, no guest agent needed.
                // Two controllers at once: one wakes it, the other gets OK or FAILED_PRECONDITION, never INTERNAL.
                long wakeAt = System.nanoTime();
                java.util.concurrent.CompletableFuture<Status.Code> other = java.util.concurrent.CompletableFuture
                        .supplyAsync(() -> wakeUp(libvirt.stub, ref));
                Status.Code mine = wakeUp(libvirt.stub, ref);
                Status.Code theirs = other.get(30, TimeUnit.SECONDS);
                System.out.println("PmSuspendDomainTest: concurrent wake-ups answered " + mine + " and " + theirs);
                assertTrue(Set.of(Status.Code.OK, Status.Code.FAILED_PRECONDITION).containsAll(List.of(mine, theirs))
                        && (mine == Status.Code.OK || theirs == Status.Code.OK), mine + " and " + theirs);
                DomainEvent woken = awaitEvent(watcher, "STARTED/WAKEUP", WAKE_WAIT, console);
                long wokenAt = System.nanoTime();
                // STARTED/WAKEUP keeps the original AIM's STARTED -> POWERED_ON (events.proto lists WAKEUP there),
                // and the state is running again.
                assertEquals(DomainEventKind.DOMAIN_EVENT_KIND_POWERED_ON, woken.getKind());
                assertEquals(2, woken.getLibvirtEventType());   // VIR_DOMAIN_EVENT_STARTED
                assertEquals(4, woken.getLibvirtEventDetail()); // VIR_DOMAIN_EVENT_STARTED_WAKEUP
                assertEquals(DomainState.DOMAIN_STATE_RUNNING, woken.getState());
                assertTrue(woken.getSequence() > suspended.getSequence());
                // The late subscriber, which joined while the guest slept, sees the wake-up live.
                assertTrue(late.awaitEvents(events -> events.stream()
                        .anyMatch(e -> e.getLibvirtEvent().equals("STARTED/WAKEUP")), EVENT_WAIT), late.events()
                        .toString());

                // The guest really resumed (its init went on after the suspend) rather than rebooting: a reboot
                // would print "suspending" again and suspend again.
                assertTrue(awaitFile(console, text -> text.contains("aim-pm: woke up"), WAKE_WAIT),
                        "the guest did not resume:\n" + console(console));
                assertEquals(1, count(Files.readString(console, StandardCharsets.ISO_8859_1), "aim-pm: suspending"),
                        console(console));
                assertEquals(DomainState.DOMAIN_STATE_RUNNING, libvirt.stub.getDomainState(
                        GetDomainStateRequest.newBuilder().setDomain(ref).build()).getState());
                // Awake now: waking it again is a precondition failure, and the service goes on serving.
                StatusRuntimeException awake = assertThrows(StatusRuntimeException.class, () -> libvirt.stub
                        .wakeUpDomain(WakeUpDomainRequest.newBuilder().setDomain(ref).build()));
                assertEquals(Status.Code.FAILED_PRECONDITION, awake.getStatus().getCode(), awake.toString());
                assertTrue(awake.getStatus().getDescription().contains("is running, not suspended to RAM"),
                        awake.getStatus().getDescription());

                System.out.printf("PmSuspendDomainTest: power-on to PMSUSPENDED event %d ms, WakeUpDomain call to "
                        + "STARTED/WAKEUP event %d ms%n", TimeUnit.NANOSECONDS.toMillis(suspendedAt - t0),
                        TimeUnit.NANOSECONDS.toMillis(wokenAt - wakeAt));

                libvirt.stub.powerOffDomain(PowerOffDomainRequest.newBuilder().setDomain(ref).build());
                libvirt.stub.undefineDomain(UndefineDomainRequest.newBuilder().setDomain(ref).build());
                assertTrue(watcher.awaitEvents(events -> events.stream()
                        .anyMatch(e -> e.getKind() == DomainEventKind.DOMAIN_EVENT_KIND_DESTROYED), EVENT_WAIT),
                        watcher.events().toString());
                // After the suspend: exactly the wake-up, then the test's power-off and undefine.
                List<String> all = describe(watcher.events());
                assertEquals(List.of("POWERED_ON STARTED/WAKEUP", "SHUTTING_DOWN", "POWERED_OFF", "DESTROYED"),
                        Stream.concat(Stream.of(all.get(4)), all.subList(5, all.size()).stream()
                                .map(e -> e.substring(0, e.indexOf(' ')))).toList(), all.toString());
                assertEquals(DomainState.DOMAIN_STATE_UNDEFINED,
                        watcher.events().get(watcher.events().size() - 1).getState());
            } finally {
                TestDomains.remove(aim.connection(), name);
                deleteTree(work);
            }
        }
    }

    /** The test's kit (bzImage + initramfs), built or reused by src/test/vm-pm/prepare. */
    private static Path prepareKit() throws Exception {
        Process prepare = new ProcessBuilder(Path.of("src", "test", "vm-pm", "prepare").toAbsolutePath().toString())
                .redirectErrorStream(true).start();
        prepare.getOutputStream().close();
        // The first run may fetch the kernel package (aim-network's kit); later runs reuse the cache at once.
        if (!prepare.waitFor(10, TimeUnit.MINUTES)) {
            prepare.destroyForcibly();
            throw new AssertionError("src/test/vm-pm/prepare did not finish in 10 minutes");
        }
        String output = new String(prepare.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
        assertEquals(0, prepare.exitValue(), "src/test/vm-pm/prepare failed (scripts/setup.d/40-network.sh "
                + "prepares the kernel it needs):\n" + output);
        String[] lines = output.split("\n");
        return Path.of(lines[lines.length - 1].trim());
    }

    /**
     * TCG, 128 MiB, no disk, the kernel booted directly. The i440FX machine's PIIX4 offers S3 once
     * {@code <suspend-to-mem enabled='yes'/>} is set (libvirt passes -global PIIX4_PM.disable_s3=0). on_reboot
     * stays "restart": a failed resume shows up as a second boot on the console rather than as a vanished domain.
     */
    private static String domainXml(String name, Path kit, Path console) {
        return "<domain type='qemu'><name>" + name + "</name><memory unit='MiB'>128</memory><vcpu>1</vcpu>"
                + "<os><type arch='x86_64' machine='pc'>hvm</type>"
                + "<kernel>" + kit.resolve("bzImage") + "</kernel><initrd>" + kit.resolve("initrd.cpio") + "</initrd>"
                + "<cmdline>console=ttyS0 panic=-1 no_console_suspend mitigations=off</cmdline></os>"
                + "<features><acpi/></features>"
                + "<pm><suspend-to-mem enabled='yes'/><suspend-to-disk enabled='no'/></pm>"
                + "<on_poweroff>destroy</on_poweroff><on_crash>destroy</on_crash>"
                + "<devices><serial type='file'><source path='" + console + "'/></serial>"
                + "<controller type='usb' model='none'/><memballoon model='none'/></devices></domain>";
    }

    private static DomainEvent awaitEvent(StreamCollector watcher, String libvirtEvent, Duration timeout, Path console)
            throws Exception {
        assertTrue(watcher.awaitEvents(events -> events.stream()
                        .anyMatch(e -> e.getLibvirtEvent().equals(libvirtEvent)), timeout),
                "no " + libvirtEvent + " within " + timeout.toSeconds() + " s; events: " + describe(watcher.events())
                        + "\nguest console:\n" + console(console));
        return watcher.events().stream().filter(e -> e.getLibvirtEvent().equals(libvirtEvent)).findFirst()
                .orElseThrow();
    }

    private static List<String> describe(List<DomainEvent> events) {
        return events.stream().map(e -> e.getKind().name().replace("DOMAIN_EVENT_KIND_", "") + " "
                + e.getLibvirtEvent()).toList();
    }

    private static boolean awaitFile(Path file, Predicate<String> condition, Duration timeout) {
        return Waits.holdsWithin(timeout, Duration.ofMillis(20), () -> condition.test(
                Files.exists(file) ? Files.readString(file, StandardCharsets.ISO_8859_1) : ""));
    }

    private static int count(String text, String what) {
        int count = 0;
        for (int i = text.indexOf(what); i >= 0; i = text.indexOf(what, i + 1)) {
            count++;
        }
        return count;
    }

    /** The last lines of the guest's serial console, for failure messages. */
    private static String console(Path console) {
        try {
            List<String> lines = Files.readAllLines(console, StandardCharsets.ISO_8859_1);
            return String.join("\n", lines.subList(Math.max(0, lines.size() - 25), lines.size()));
        } catch (IOException unreadable) {
            return "(no console: " + unreadable + ")";
        }
    }

    private static void deleteTree(Path folder) throws IOException {
        try (Stream<Path> paths = Files.walk(folder)) {
            for (Path path : paths.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(path);
            }
        }
    }

    /** The Libvirt service on the harness's libvirt connection (one connection, as in the agent), in process. */
    private static final class LibvirtService implements AutoCloseable {
        final MetricsStore metrics = new MetricsStore(Duration.ofHours(1));
        final Server server;
        final ManagedChannel channel;
        final LibvirtServiceGrpc.LibvirtServiceBlockingStub stub;

        LibvirtService(EventsServerHarness aim) throws IOException {
            String serverName = "aimtest-pm-" + System.nanoTime();
            server = InProcessServerBuilder.forName(serverName).directExecutor()
                    .addService(new LibvirtGrpcService(new DomainOperations(aim.connection()),
                            new NodeInfoReader(aim.connection()), metrics,
                            Duration.ofSeconds(60), Optional::empty))
                    .build().start();
            channel = InProcessChannelBuilder.forName(serverName).directExecutor().build();
            stub = LibvirtServiceGrpc.newBlockingStub(channel).withDeadlineAfter(2, TimeUnit.MINUTES);
        }

        @Override
        public void close() throws InterruptedException {
            channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
            server.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
        }
    }

    private static Status.Code wakeUp(LibvirtServiceGrpc.LibvirtServiceBlockingStub stub, DomainRef ref) {
        try {
            stub.wakeUpDomain(WakeUpDomainRequest.newBuilder().setDomain(ref).build());
            return Status.Code.OK;
        } catch (StatusRuntimeException failure) {
            return failure.getStatus().getCode();
        }
    }
}
