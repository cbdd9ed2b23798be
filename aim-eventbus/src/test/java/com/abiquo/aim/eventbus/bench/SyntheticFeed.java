package com.abiquo.aim.eventbus.bench;

import com.abiquo.aim.core.spi.EventFeed;
import com.abiquo.aim.v1.DomainEvent;
import com.abiquo.aim.v1.DomainEventKind;
import com.abiquo.aim.v1.DomainState;
import com.abiquo.aim.v1.EventNode;
import com.google.protobuf.Timestamp;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.UUID;

/**
 * A journal that already holds {@code count} events, as a node's would, for the benchmark: the agent started at
 * sequence 1 (its snapshot is as of 1, with no domain), and events 2 to count + 1 followed. The forwarder starts, as
 * every run of the agent does, with a marker and that snapshot, then publishes the {@code count} events.
 */
final class SyntheticFeed implements EventFeed {
    private static final long START = 1;
    private final List<DomainEvent> events;

    SyntheticFeed(int count) {
        events = new ArrayList<>(count);
        EventNode node = EventNode.newBuilder().setHostname("bench-node-01.example").setAddress("10.10.1.21").build();
        List<String> uuids = new ArrayList<>();
        for (int domain = 0; domain < 50; domain++) {
            uuids.add(UUID.randomUUID().toString());
        }
        long now = System.currentTimeMillis();
        for (int index = 0; index < count; index++) {
            boolean on = index % 2 == 0;
            events.add(DomainEvent.newBuilder().setSequence(START + 1 + index)
                    .setTime(Timestamp.newBuilder().setSeconds(now / 1000).setNanos((int) (now % 1000) * 1_000_000))
                    .setNode(node).setDomainUuid(uuids.get(index % uuids.size()))
                    .setDomainName("vm-" + (index % uuids.size()) + "-tenant-a")
                    .setKind(on ? DomainEventKind.DOMAIN_EVENT_KIND_POWERED_ON
                            : DomainEventKind.DOMAIN_EVENT_KIND_POWERED_OFF)
                    .setLibvirtEventType(on ? 2 : 5).setLibvirtEventDetail(on ? 0 : 1)
                    .setLibvirtEvent(on ? "STARTED/BOOTED" : "STOPPED/DESTROYED")
                    .setState(on ? DomainState.DOMAIN_STATE_RUNNING : DomainState.DOMAIN_STATE_SHUTOFF)
                    .build());
        }
    }

    List<DomainEvent> events() {
        return events;
    }

    @Override
    public long newestSequence() {
        return START + events.size();
    }

    @Override
    public long oldestSequence() {
        return START + 1;
    }

    @Override
    public Optional<List<DomainEvent>> readAfter(long afterSequence, int max) {
        if (afterSequence < START || afterSequence > newestSequence()) {
            return Optional.empty(); // not a sequence of this journal: start over from the snapshot
        }
        int from = (int) (afterSequence - START);
        return Optional.of(events.subList(from, Math.min(events.size(), from + max)));
    }

    @Override
    public boolean awaitAfter(long sequence, Duration timeout) throws InterruptedException {
        if (sequence < newestSequence()) {
            return true;
        }
        // not a wait for a condition: this journal is fixed, nothing can arrive, so (as the real journal's wait
        // would) the call takes its whole timeout
        Thread.sleep(timeout.toMillis());
        return false;
    }

    @Override
    public Optional<Snapshot> snapshot() {
        return Optional.of(new Snapshot(START, List.of()));
    }
}
