package com.abiquo.aim.server;

import static com.abiquo.aim.server.EventWatcherTest.journalAfter;
import static com.abiquo.aim.server.EventWatcherTest.lastIssued;
import static com.abiquo.aim.testing.Waits.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.abiquo.aim.client.AimClient;
import com.abiquo.aim.client.EventWatcher;
import com.abiquo.aim.testing.PrivateLibvirtd;
import com.abiquo.aim.v1.DomainEvent;
import com.abiquo.aim.v1.DomainSnapshot;
import com.abiquo.aim.v1.DomainState;
import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * aim-client's EventWatcher against the whole agent on Netty while the libvirtd under the agent crashes: a private
 * daemon (its own socket, run as "nobody", real QEMU/KVM guests) is SIGKILLed and started again while domains
 * change behind the agent's back. The watcher must end with exactly the domains that daemon has, as virsh lists
 * them, having handled every journaled event (resync events included) once, in order.
 */
@Tag("system")
class EventWatcherLibvirtdRestartSystemTest {
    private static final Duration LONG = Duration.ofSeconds(90);

    @Test
    void aWatcherAcrossALibvirtdCrashEndsWithTheDaemonsDomainsAndEveryEventOnce() throws Exception {
        String run = UUID.randomUUID().toString().substring(0, 6);
        String crashed = "aimcw-" + run + "-crashed"; // running; its guest dies while libvirtd is away
        String paused = "aimcw-" + run + "-paused"; // paused; resumed after the restart, then destroyed
        String undefined = "aimcw-" + run + "-undefined"; // undefined right after the restart
        String late = "aimcw-" + run + "-late"; // defined and started after the restart
        try (PrivateLibvirtd libvirtd = new PrivateLibvirtd("aimtest-cw-")) {
            libvirtd.start();
            try (RunningAim aim = new RunningAim("", libvirtd.qemuUri(), "");
                    AimClient client = AimClient.builder("127.0.0.1:" + aim.port()).build()) {
                WatchRecorder recorder = new WatchRecorder();
                try (EventWatcher watcher = client.watcher(recorder)
                        .backoff(Duration.ofMillis(20), Duration.ofMillis(200)).start()) {
                    long syncedAt = watcher.synced().get(30, TimeUnit.SECONDS);
                    for (String name : List.of(crashed, paused, undefined)) {
                        virsh(libvirtd, "define", xmlFile(aim, name));
                    }
                    virsh(libvirtd, "start", crashed);
                    virsh(libvirtd, "start", paused);
                    virsh(libvirtd, "suspend", paused);
                    await("the watcher sees the domains before the crash", LONG, () -> cachedStates(watcher).equals(
                            Map.of(crashed, "running", paused, "paused", undefined, "shut off")));

                    long guestOfCrashed = libvirtd.qemuPid(crashed).orElseThrow();
                    libvirtd.kill();
                    // While libvirtd is away its guest dies: no libvirt event can tell the agent.
                    PrivateLibvirtd.killProcess(guestOfCrashed);
                    libvirtd.start();
                    // Right after the restart, before or after the agent reconnects (its backoff decides).
                    virsh(libvirtd, "undefine", undefined);
                    virsh(libvirtd, "resume", paused);
                    virsh(libvirtd, "define", xmlFile(aim, late));
                    virsh(libvirtd, "start", late);
                    virsh(libvirtd, "destroy", paused);

                    Map<String, String> daemon = daemonStates(libvirtd);
                    assertEquals(Map.of(crashed, "shut off", paused, "shut off", late, "running"), daemon);
                    await("the watcher's cache equals virsh list --all", LONG,
                            () -> cachedStates(watcher).equals(daemon));
                    await("every journaled event handled", LONG, () -> recorder.lastSequence() == lastIssued(aim));

                    List<Long> received = recorder.events.stream().map(DomainEvent::getSequence).toList();
                    assertEquals(journalAfter(aim, syncedAt), received, "the journal's events, in order, each once");
                    assertEquals(received.size(), new HashSet<>(received).size(), "no duplicate");
                    assertTrue(recorder.events.stream().anyMatch(e -> e.getResync()
                            && e.getDomainName().equals(crashed)
                            && e.getState() == DomainState.DOMAIN_STATE_SHUTOFF),
                            "the guest that died while libvirtd was away arrives as a resync event: "
                                    + recorder.events);
                    assertEquals(List.of(), recorder.cacheDisagreements);
                    assertEquals(daemonStates(libvirtd), cachedStates(watcher));
                    assertEquals(aim.libvirtDomains(), new TreeMap<>(watcher.domains()));
                }
            }
        }
    }

    /** The watcher's cache as virsh names states: domain name -> "running", "paused", "shut off". */
    private static Map<String, String> cachedStates(EventWatcher watcher) {
        Map<String, String> states = new TreeMap<>();
        for (DomainSnapshot domain : watcher.domains().values()) {
            states.put(domain.getDomainName(), switch (domain.getState()) {
                case DOMAIN_STATE_RUNNING -> "running";
                case DOMAIN_STATE_PAUSED -> "paused";
                case DOMAIN_STATE_SHUTOFF -> "shut off";
                default -> domain.getState().name();
            });
        }
        return states;
    }

    /** What the private daemon has, from {@code virsh -c <its URI> list --all}: name -> state. */
    private static Map<String, String> daemonStates(PrivateLibvirtd libvirtd) throws IOException,
            InterruptedException {
        Process virsh = new ProcessBuilder("virsh", "-q", "-c", libvirtd.qemuUri(), "list", "--all")
                .redirectErrorStream(true).redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")))
                .start();
        String output = new String(virsh.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(virsh.waitFor(60, TimeUnit.SECONDS) && virsh.exitValue() == 0, "virsh list: " + output);
        Map<String, String> states = new TreeMap<>();
        for (String line : output.strip().split("\n")) {
            if (!line.isBlank()) {
                String[] columns = line.strip().split("\\s+", 3); // Id, Name, State ("shut off" has a space)
                states.put(columns[1], columns[2].strip());
            }
        }
        return states;
    }

    private static void virsh(PrivateLibvirtd libvirtd, String... arguments) throws Exception {
        assertEquals(0, libvirtd.virsh(arguments), "virsh " + String.join(" ", arguments));
    }

    /** A diskless guest's XML in a file for virsh define (KVM where /dev/kvm exists). */
    private static String xmlFile(RunningAim aim, String name) throws IOException {
        String type = Files.exists(Path.of("/dev/kvm")) ? "kvm" : "qemu";
        Path file = aim.folder().resolve(name + ".xml");
        Files.writeString(file, "<domain type='" + type + "'><name>" + name + "</name><memory unit='MiB'>64</memory>"
                + "<os><type arch='x86_64' machine='pc'>hvm</type></os>"
                + "<devices><serial type='pty'/><console type='pty'/></devices></domain>");
        return file.toString();
    }
}
