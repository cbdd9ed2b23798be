package com.abiquo.aim.ctl;

import com.abiquo.aim.client.AimClient;
import com.abiquo.aim.client.AimClientException;
import com.abiquo.aim.client.DomainEventHandler;
import com.abiquo.aim.client.EventWatcher;
import com.abiquo.aim.client.SequenceStore;
import com.abiquo.aim.v1.DomainEvent;
import com.abiquo.aim.v1.DomainRef;
import com.abiquo.aim.v1.DomainSnapshot;
import com.abiquo.aim.v1.EventFilter;
import com.abiquo.aim.v1.ListEventsRequest;
import com.abiquo.aim.v1.ListEventsResponse;
import java.io.PrintWriter;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutionException;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

@Command(name = "events", description = {"The node's domain events: those still in the agent's journal, or with"
        + " --follow the new ones as they happen (reconnecting by itself, like virsh event --loop)."})
final class EventsCommand implements Callable<Integer> {
    @ParentCommand
    AimCtl aimctl;
    @Spec
    CommandSpec spec;
    @Option(names = {"-f", "--follow"}, description = "Keep printing new events until interrupted.")
    boolean follow;
    @Option(names = "--from", paramLabel = "SEQ", description = "Start after this sequence number (default: the"
            + " journal's oldest event; with --follow: now).")
    Long from;
    @Option(names = "--domain", paramLabel = "NAME", description = "Only this domain (name or uuid); repeatable.")
    List<String> domains = new ArrayList<>();

    @Override
    public Integer call() throws Exception {
        Output output = aimctl.output(spec);
        try (AimClient aim = aimctl.connect()) {
            return follow ? follow(aim, output) : list(aim, output);
        }
    }

    private EventFilter filter() {
        EventFilter.Builder filter = EventFilter.newBuilder();
        if (domains.isEmpty()) {
            filter.setAllDomains(true);
        } else {
            domains.forEach(d -> filter.addDomains(DomainCommand.reference(d)));
        }
        return filter.build();
    }

    private int list(AimClient aim, Output output) {
        long after = from == null ? 0 : from;
        while (true) {
            long cursor = after;
            ListEventsResponse page = aim.call(() -> aim.events().listEvents(ListEventsRequest.newBuilder()
                    .setFilter(filter()).setAfterSequence(cursor).setMaxEvents(10_000).build()));
            page.getEventsList().forEach(event -> print(output, event));
            if (page.getEventsCount() == 0 || page.getNextAfterSequence() >= page.getLastSequence()) {
                return 0;
            }
            after = page.getNextAfterSequence();
        }
    }

    private int follow(AimClient aim, Output output) throws InterruptedException {
        long start = from != null ? from
                : aim.call(() -> aim.events().listEvents(ListEventsRequest.newBuilder().setFilter(filter())
                        .setMaxEvents(1).build())).getLastSequence();
        SequenceStore cursor = SequenceStore.inMemory();
        cursor.save(start);
        PrintWriter err = spec.commandLine().getErr();
        List<DomainRef> watched = domains.stream().map(DomainCommand::reference).toList();
        // runs until interrupted (the watcher's thread is a daemon: Ctrl-C ends it with the JVM)
        try (EventWatcher watcher = aim.watcher(new Printer(output, err, start > 0)).domains(watched)
                .sequenceStore(cursor).threadName("aimctl-events").start()) {
            AimClientException failure = watcher.failure().get();
            if (failure != null) {
                throw failure;
            }
        } catch (ExecutionException impossible) {
            throw AimClientException.from(impossible.getCause());
        }
        return 0;
    }

    private static void print(Output output, DomainEvent event) {
        if (output.json()) {
            output.jsonLine(event);
        } else {
            output.line(EventLine.of(event));
        }
    }

    /** Prints what the watcher reports; snapshot states only when events were missed (not the first listing). */
    private static final class Printer implements DomainEventHandler {
        private final Output output;
        private final PrintWriter err;
        private boolean synced;

        /** {@code synced}: a start from a sequence, so any snapshot means events were missed. */
        Printer(Output output, PrintWriter err, boolean synced) {
            this.output = output;
            this.err = err;
            this.synced = synced;
        }

        @Override
        public void onEvent(DomainEvent event, Map<String, DomainSnapshot> domains) {
            print(output, event);
        }

        @Override
        public void onSnapshotState(DomainSnapshot domain, Map<String, DomainSnapshot> domains) {
            if (synced) {
                if (output.json()) {
                    output.jsonLine(domain);
                } else {
                    output.line(EventLine.snapshot(domain));
                }
            }
        }

        @Override
        public void onDeleted(DomainSnapshot lastKnown, Map<String, DomainSnapshot> domains) {
            if (synced && !output.json()) {
                output.line(EventLine.deleted(lastKnown));
            }
        }

        @Override
        public void onSynced(long sequence, Map<String, DomainSnapshot> domains) {
            synced = true;
        }

        @Override
        public void onDisconnected(AimClientException cause, Duration retryIn) {
            err.println(String.format(Locale.ROOT, "aimctl: the event stream ended (%s); reconnecting in %.1f s",
                    cause, retryIn.toMillis() / 1000.0));
            err.flush();
        }
    }
}
