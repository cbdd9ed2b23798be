package com.abiquo.aim.server;

import static com.abiquo.aim.testing.Waits.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.abiquo.aim.v1.ListDomainsRequest;
import com.abiquo.aim.v1.ListDomainsResponse;
import com.google.protobuf.util.JsonFormat;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** aimctl as a process against the whole real agent (libvirt's test driver): output, exit codes, JSON, progress. */
class AimctlTest {
    private static RunningAim aim;
    private static String address;

    @BeforeAll
    static void start() throws Exception {
        aim = new RunningAim("");
        address = "127.0.0.1:" + aim.port();
    }

    @AfterAll
    static void stop() throws Exception {
        if (aim != null) {
            aim.close();
        }
    }

    private static AimctlProcess.Result aimctl(String... args) throws Exception {
        String[] withAddress = new String[args.length + 2];
        withAddress[0] = "--address";
        withAddress[1] = address;
        System.arraycopy(args, 0, withAddress, 2, args.length);
        return AimctlProcess.run(withAddress);
    }

    @Test
    void infoNamesTheNodeAndTheHealthOfEveryService() throws Exception {
        AimctlProcess.Result info = aimctl("info");
        assertEquals(0, info.exitCode(), info.err());
        assertTrue(info.out().contains("node:"), info.out());
        assertTrue(info.out().matches("(?s).*abiquo\\.aim\\.v1\\.LibvirtService\\s+SERVING.*"), info.out());
        assertTrue(info.out().matches("(?s).*abiquo\\.aim\\.v1\\.VlanService\\s+NOT_SERVING.*"), info.out());
    }

    @Test
    void domainsIsATableOfWhatLibvirtLists() throws Exception {
        aim.define("ctl-listed");
        AimctlProcess.Result domains = aimctl("domains");
        assertEquals(0, domains.exitCode(), domains.err());
        List<String> lines = domains.out().lines().toList();
        assertTrue(lines.get(0).matches("NAME\\s+UUID\\s+STATE\\s+VCPUS\\s+MEMORY\\s+PERSISTENT"), lines.get(0));
        assertTrue(lines.stream().anyMatch(l -> l.matches("ctl-listed\\s+\\S+\\s+SHUTOFF\\s+.*")), domains.out());
        assertEquals(aim.libvirtDomains().size() + 1, lines.size());
    }

    @Test
    void jsonOutputIsTheAgentsMessage() throws Exception {
        AimctlProcess.Result json = aimctl("domains", "-o", "json");
        assertEquals(0, json.exitCode(), json.err());
        ListDomainsResponse.Builder parsed = ListDomainsResponse.newBuilder();
        JsonFormat.parser().merge(json.out(), parsed);
        ListDomainsResponse actual = aim.admin().libvirt().listDomains(ListDomainsRequest.getDefaultInstance());
        assertEquals(actual.getDomainsList().stream().map(d -> d.getName() + d.getState()).collect(Collectors.toSet()),
                parsed.getDomainsList().stream().map(d -> d.getName() + d.getState()).collect(Collectors.toSet()));
    }

    @Test
    void domainActionsPrintTheNewStateAndFailuresTheReasonWithTheStatusAsExitCode() throws Exception {
        aim.define("ctl-power");
        AimctlProcess.Result started = aimctl("domain", "start", "ctl-power");
        assertEquals(0, started.exitCode(), started.err());
        assertEquals("ctl-power: RUNNING\n", started.out());
        AimctlProcess.Result paused = aimctl("domain", "pause", "ctl-power");
        assertEquals("ctl-power: PAUSED\n", paused.out());

        AimctlProcess.Result missing = aimctl("domain", "start", "ctl-no-such-domain");
        assertEquals(5, missing.exitCode(), "NOT_FOUND is 5");
        assertTrue(missing.err().startsWith("aimctl: NOT_FOUND "), missing.err());
        assertTrue(missing.err().contains("ctl-no-such-domain"), missing.err());
        assertEquals(1, missing.err().lines().count(), "one line, no stack trace: " + missing.err());

        AimctlProcess.Result empty = aimctl("domain", "start", "");
        assertEquals(3, empty.exitCode(), "INVALID_ARGUMENT is 3: " + empty.err());
        assertTrue(empty.err().startsWith("aimctl: INVALID_ARGUMENT DOMAIN_NAME_EMPTY: "), empty.err());
    }

    @Test
    void anUnreachableAgentIsUnavailableAndABadCommandLineIsAUsageError() throws Exception {
        AimctlProcess.Result unreachable = AimctlProcess.run("--address", "127.0.0.1:1", "domains");
        assertEquals(14, unreachable.exitCode(), unreachable.err());
        assertTrue(unreachable.err().startsWith("aimctl: UNAVAILABLE"), unreachable.err());
        assertFalse(unreachable.err().contains("\tat "), unreachable.err());

        AimctlProcess.Result usage = aimctl("domain", "explode", "x");
        assertEquals(64, usage.exitCode(), usage.err());
    }

    @Test
    void eventsListsTheJournalAndFollowPrintsNewEventsAcrossAnAgentRestart() throws Exception {
        aim.pauseAndResume("test");
        AimctlProcess.Result journal = aimctl("events", "--domain", "test");
        assertEquals(0, journal.exitCode(), journal.err());
        assertTrue(journal.out().lines().anyMatch(l -> l.matches(".*#\\d+  test  PAUSED \\(SUSPENDED/PAUSED\\)"
                + "  -> PAUSED")), journal.out());

        Process follow = new ProcessBuilder(AimctlProcess.command("--address", address, "events", "--follow",
                "--domain", "test")).redirectError(ProcessBuilder.Redirect.PIPE).start();
        List<String> out = new CopyOnWriteArrayList<>();
        List<String> err = new CopyOnWriteArrayList<>();
        read(follow.getInputStream(), out);
        read(follow.getErrorStream(), err);
        try {
            await("follow prints a pause", Duration.ofSeconds(60), () -> {
                aim.pauseAndResume("test");
                return out.stream().anyMatch(l -> l.contains("RESUMED"));
            });
            aim.stop();
            await("the stream ended", Duration.ofSeconds(30), () -> err.stream()
                    .anyMatch(l -> l.contains("the event stream ended (UNAVAILABLE") && l.contains("reconnecting")));
            aim.startAgain();
            address = "127.0.0.1:" + aim.port();
            int before = out.size();
            await("follow prints the new run's events", Duration.ofSeconds(60), () -> {
                aim.pauseAndResume("test");
                return out.subList(before, out.size()).stream().anyMatch(l -> l.contains("PAUSED"));
            });
            assertTrue(follow.isAlive());
        } finally {
            follow.destroy();
            follow.waitFor(10, TimeUnit.SECONDS);
        }
    }

    @Test
    void uploadDrawsAProgressBarOnATerminalAndPlainLinesOtherwise() throws Exception {
        Path file = aim.folder().resolve("upload-source.img");
        byte[] data = new byte[48 * 1024 * 1024];
        new Random(7).nextBytes(data);
        Files.write(file, data);
        Path dest = aim.folder().resolve("datastore").resolve("ctl-upload.img");

        String command = AimctlProcess.command("--address", address, "upload", file.toString(), dest.toString())
                .stream().map(AimctlProcess::quote).collect(Collectors.joining(" "));
        Process terminal = new ProcessBuilder("script", "-qec", command, "/dev/null").redirectErrorStream(true)
                .start();
        String shown = new String(terminal.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(terminal.waitFor(60, TimeUnit.SECONDS));
        assertEquals(0, terminal.exitValue(), shown);
        assertTrue(shown.contains("\rupload ["), "a bar redrawn in place: " + shown);
        assertTrue(shown.contains("100%") && shown.contains("48.0 MiB / 48.0 MiB"), shown);
        assertTrue(shown.contains("/s"), "a rate: " + shown);
        assertEquals(data.length, Files.size(dest));

        Path plainDest = aim.folder().resolve("datastore").resolve("ctl-upload-plain.img");
        AimctlProcess.Result plain = aimctl("upload", file.toString(), plainDest.toString());
        assertEquals(0, plain.exitCode(), plain.err());
        assertFalse(plain.err().contains("\r"), plain.err());
        assertTrue(plain.err().contains("upload: " + data.length + " of " + data.length + " bytes (100%)"),
                plain.err());
        assertTrue(plain.out().startsWith(plainDest + ": 48.0 MiB, sha256 "), plain.out());

        AimctlProcess.Result exists = aimctl("upload", file.toString(), plainDest.toString());
        assertEquals(6, exists.exitCode(), "ALREADY_EXISTS is 6: " + exists.err());
    }

    @Test
    void deployCopiesAnImageOfTheRepositoryIntoTheDatastore() throws Exception {
        Path image = aim.folder().resolve("repository").resolve("images").resolve("ctl-disk.img");
        Files.createDirectories(image.getParent());
        Files.write(image, new byte[4 * 1024 * 1024]);
        String vm = "ctl-vm-" + System.nanoTime();
        Path datastore = aim.folder().resolve("datastore");
        AimctlProcess.Result deploy = aimctl("deploy", "images/ctl-disk.img", "--datastore", datastore.toString(),
                "--vm", vm);
        assertEquals(0, deploy.exitCode(), deploy.err());
        assertTrue(deploy.out().startsWith(datastore.resolve(vm) + ": 4.0 MiB"), deploy.out());
        assertEquals(4 * 1024 * 1024, Files.size(datastore.resolve(vm)));
        assertTrue(deploy.err().contains("deploy: 4194304 of 4194304 bytes (100%)"), deploy.err());
    }

    private static void read(java.io.InputStream stream, List<String> lines) {
        Thread reader = new Thread(() -> {
            try (BufferedReader in = new BufferedReader(new InputStreamReader(stream, StandardCharsets.UTF_8))) {
                String line;
                while ((line = in.readLine()) != null) {
                    lines.add(line);
                }
            } catch (java.io.IOException ended) {
                // the process is gone
            }
        });
        reader.setDaemon(true);
        reader.start();
    }

}
