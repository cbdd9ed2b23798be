package com.abiquo.aim.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.abiquo.aim.client.AimClient;
import com.abiquo.aim.client.AimClientException;
import com.abiquo.aim.client.DomainEventHandler;
import com.abiquo.aim.client.EventWatcher;
import com.abiquo.aim.client.SequenceStore;
import com.abiquo.aim.v1.DomainEvent;
import com.abiquo.aim.v1.DomainRef;
import com.abiquo.aim.v1.DomainSnapshot;
import com.abiquo.aim.v1.DomainState;
import com.abiquo.aim.v1.PowerOnDomainRequest;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** The README's "For controller developers" example, compiled and run against the real agent. */
class ReadmeExampleTest {
    @Test
    void theReadmeExampleRunsAndIsTheOneInTheReadme() throws Exception {
        try (RunningAim agent = new RunningAim("")) {
            String address = "127.0.0.1:" + agent.port();
            SequenceStore cursorStore = SequenceStore.inMemory();
            List<String> log = new CopyOnWriteArrayList<>();
            long before = EventWatcherTest.lastIssued(agent);
            agent.define("web1");
            // libvirt reports the definition a moment after the call: the snapshot the watcher syncs to (as of the
            // journal) holds web1 only once its event is journaled
            EventWatcherTest.awaitJournaled(agent, before, 1);
            // README-BEGIN
            try (AimClient aim = AimClient.builder(address).build();
                    EventWatcher watcher = aim.watcher(new DomainEventHandler() {
                        @Override
                        public void onEvent(DomainEvent event, Map<String, DomainSnapshot> domains) {
                            log.add(event.getDomainName() + " " + event.getKind() + " -> " + event.getState());
                        }

                        @Override
                        public void onDeleted(DomainSnapshot gone, Map<String, DomainSnapshot> domains) {
                            log.add(gone.getDomainName() + " vanished while we were away");
                        }
                    }).sequenceStore(cursorStore).start()) {
                watcher.synced().get(30, TimeUnit.SECONDS); // the cache now shows the node
                log.add(watcher.domains().size() + " domains");
                DomainRef web1 = DomainRef.newBuilder().setName("web1").build();
                aim.call(() -> aim.libvirt().powerOnDomain(PowerOnDomainRequest.newBuilder().setDomain(web1).build()));
            } catch (AimClientException failure) {
                switch (failure.reason()) {
                    case DOMAIN_NOT_FOUND -> log.add("no such domain: " + failure.getMessage());
                    default -> throw failure;
                }
            }
            // README-END
            assertEquals("2 domains", log.get(0), log.toString()); // the test driver's "test" and web1
            assertEquals(DomainState.DOMAIN_STATE_RUNNING, agent.libvirtDomains().values().stream()
                    .filter(d -> d.getDomainName().equals("web1")).findFirst().orElseThrow().getState());
            assertEquals(example(), exampleInReadme());
        }
    }

    /** The example's lines in this file, without the test's indentation. */
    private static String example() throws Exception {
        Path source = Path.of(System.getProperty("aim.projectRoot"),
                "aim-server/src/test/java/com/abiquo/aim/server/ReadmeExampleTest.java");
        String text = Files.readString(source);
        String block = text.substring(text.indexOf("// README-BEGIN\n") + 16, text.indexOf("            // README-END"));
        return block.lines().map(line -> line.length() >= 12 ? line.substring(12) : line.strip())
                .reduce("", (a, b) -> a + b + "\n");
    }

    private static String exampleInReadme() throws Exception {
        String readme = Files.readString(Path.of(System.getProperty("aim.projectRoot"), "README.md"));
        int start = readme.indexOf("<!-- watcher-example:begin -->\n```java\n");
        int end = readme.indexOf("```\n<!-- watcher-example:end -->");
        assertTrue(start >= 0 && end > start, "the README has the example between its markers");
        return readme.substring(start + "<!-- watcher-example:begin -->\n```java\n".length(), end);
    }
}
