package com.abiquo.aim.client;

import static java.util.Objects.requireNonNull;

import com.abiquo.aim.v1.DomainRef;
import com.abiquo.aim.v1.DomainSnapshot;
import com.abiquo.aim.v1.EventFilter;
import com.abiquo.aim.v1.EventsMonitorServiceGrpc;
import com.abiquo.aim.v1.ModifySubscriptionRequest;
import com.abiquo.aim.v1.ModifySubscriptionResponse;
import com.abiquo.aim.v1.SnapshotReason;
import com.abiquo.aim.v1.SubscribeRequest;
import com.abiquo.aim.v1.SubscribeResponse;
import com.abiquo.aim.v1.UnsubscribeRequest;
import io.grpc.Channel;
import io.grpc.Context;
import io.grpc.Status;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * An informer over one agent's EventsMonitorService (list + watch with resume, as Kubernetes' reflector): it keeps
 * a cache domain -> last state and calls the handler once per change, in sequence order, on its own thread.
 * <ul>
 * <li>It starts with a snapshot (or resumes after the {@link SequenceStore}'s cursor) and then follows events.</li>
 * <li>After any end of the stream (agent restart, network loss, RESOURCE_EXHAUSTED cut-off) it subscribes again
 * with {@code resume_after_sequence} = its cursor, after a backoff with jitter: nothing is missed, nothing is
 * handled twice (events at or before the cursor are dropped).</li>
 * <li>A snapshot with reason RESUME_POINT_LOST (or the first one) replaces the cache: domains absent from it are
 * reported deleted.</li>
 * <li>{@link #synced()} completes once the cache shows the agent's state.</li>
 * <li>{@link #modify} adds or removes watched domains while it runs.</li>
 * </ul>
 * It stops for good only on a failure retrying cannot mend (INVALID_ARGUMENT, UNIMPLEMENTED, UNAUTHENTICATED,
 * PERMISSION_DENIED): {@link #failure()} completes then.
 */
public final class EventWatcher implements AutoCloseable {
    private static final Set<Status.Code> FATAL = Set.of(Status.Code.INVALID_ARGUMENT, Status.Code.UNIMPLEMENTED,
            Status.Code.UNAUTHENTICATED, Status.Code.PERMISSION_DENIED);

    private final EventsMonitorServiceGrpc.EventsMonitorServiceBlockingStub stub;
    private final DomainEventHandler handler;
    private final WatchState state;
    private final Backoff backoff;
    private final Thread thread;
    private final CountDownLatch closing = new CountDownLatch(1);
    private final CompletableFuture<Long> synced = new CompletableFuture<>();
    private final CompletableFuture<AimClientException> failure = new CompletableFuture<>();

    private final Object lock = new Object();
    private boolean allDomains;
    private final Set<DomainRef> domains = new LinkedHashSet<>();
    private final List<com.abiquo.aim.v1.DomainEventKind> kinds;
    private String subscriptionId;
    private Context.CancellableContext streamContext;
    /** Snapshots of added domains asked for on the current stream and not received yet. */
    private int pendingAddedSnapshots;

    private EventWatcher(Builder builder) {
        this.stub = EventsMonitorServiceGrpc.newBlockingStub(builder.channel);
        this.handler = builder.handler;
        this.state = new WatchState(new SyncedSignal(builder.handler, synced), builder.store);
        this.backoff = new Backoff(builder.initialBackoff, builder.maxBackoff);
        this.allDomains = builder.domains.isEmpty();
        this.domains.addAll(builder.domains);
        this.kinds = List.copyOf(builder.kinds);
        this.thread = new Thread(this::run, builder.threadName);
        this.thread.setDaemon(true);
    }

    public static Builder builder(Channel channel, DomainEventHandler handler) {
        return new Builder(channel, handler);
    }

    /** Starts watching (once). */
    public EventWatcher start() {
        thread.start();
        return this;
    }

    /** Completes with the sequence the cache is as of, once it first shows the agent's state. */
    public CompletableFuture<Long> synced() {
        return synced;
    }

    /** Completes when the watcher stopped on a failure that retrying cannot mend. */
    public CompletableFuture<AimClientException> failure() {
        return failure;
    }

    /** The id of the open subscription (for ModifySubscription by hand, or logs); empty between streams. */
    public java.util.Optional<String> subscriptionId() {
        synchronized (lock) {
            return java.util.Optional.ofNullable(subscriptionId);
        }
    }

    /** The sequence of the last change handled. */
    public long cursor() {
        return state.cursor();
    }

    /** A copy of the cache: domain uuid -> last known state. */
    public Map<String, DomainSnapshot> domains() {
        return state.copy();
    }

    /**
     * Adds and removes watched domains (by uuid or name). Added domains' current state arrives as
     * {@link DomainEventHandler#onSnapshotState} before their next events; removed ones leave the cache. Applies to
     * the open subscription at once and to every later one. Removing from a watcher of all domains is refused.
     */
    public void modify(List<DomainRef> add, List<DomainRef> remove) {
        String id;
        synchronized (lock) {
            if (allDomains && !remove.isEmpty()) {
                throw new IllegalStateException("this watcher watches all domains: none can be removed");
            }
            if (allDomains) {
                return;
            }
            domains.addAll(add);
            remove.forEach(domains::remove);
            id = subscriptionId;
            if (id != null && !add.isEmpty()) {
                pendingAddedSnapshots++;
            }
        }
        state.forget(remove);
        if (id == null) {
            restartStreamWithSnapshot(!add.isEmpty());
            return;
        }
        try {
            ModifySubscriptionResponse ignored = stub.modifySubscription(ModifySubscriptionRequest.newBuilder()
                    .setSubscriptionId(id).addAllAddDomains(add).addAllRemoveDomains(remove)
                    .setIncludeSnapshot(!add.isEmpty()).build());
        } catch (RuntimeException failed) {
            AimClientException cause = AimClientException.from(failed);
            if (FATAL.contains(cause.code())) {
                throw cause;
            }
            // the stream ended meanwhile (NOT_FOUND) or the agent is away: the next subscription carries the new
            // filter, and the added domains' state comes with a full snapshot
            restartStreamWithSnapshot(!add.isEmpty());
        }
    }

    private void restartStreamWithSnapshot(boolean snapshotNeeded) {
        synchronized (lock) {
            if (snapshotNeeded) {
                pendingAddedSnapshots = Math.max(pendingAddedSnapshots, 1);
            }
            if (streamContext != null) {
                streamContext.cancel(null);
            }
        }
    }

    @Override
    public void close() {
        closing.countDown();
        String id;
        synchronized (lock) {
            id = subscriptionId;
            if (streamContext != null) {
                streamContext.cancel(null);
            }
        }
        if (id != null) {
            try {
                stub.withDeadlineAfter(2, TimeUnit.SECONDS)
                        .unsubscribe(UnsubscribeRequest.newBuilder().setSubscriptionId(id).build());
            } catch (RuntimeException alreadyGone) {
                // cancelling the stream ends the subscription as well
            }
        }
        if (Thread.currentThread() != thread) {
            try {
                thread.join(TimeUnit.SECONDS.toMillis(10));
            } catch (InterruptedException interrupted) {
                Thread.currentThread().interrupt();
            }
        }
    }

    private boolean closed() {
        return closing.getCount() == 0;
    }

    private void run() {
        while (!closed()) {
            AimClientException end = stream();
            if (closed()) {
                break;
            }
            if (end != null && FATAL.contains(end.code())) {
                failure.complete(end);
                synced.completeExceptionally(end);
                return;
            }
            Duration delay = backoff.next();
            handler.onDisconnected(end != null ? end
                    : new AimClientException(Status.Code.OK, "", "the agent ended the stream", Map.of(), null), delay);
            try {
                if (closing.await(delay.toMillis(), TimeUnit.MILLISECONDS)) {
                    break;
                }
            } catch (InterruptedException interrupted) {
                break;
            }
        }
        failure.complete(null);
    }

    /** One subscription, from start to its end; returns why it ended (null when the agent completed it). */
    private AimClientException stream() {
        SubscribeRequest request;
        Context.CancellableContext context = Context.current().withCancellation();
        synchronized (lock) {
            if (pendingAddedSnapshots > 0) {
                // the added domains' state was never received: only a full snapshot brings it now
                state.dropCursor();
                pendingAddedSnapshots = 0;
            }
            EventFilter.Builder filter = EventFilter.newBuilder().addAllKinds(kinds);
            if (allDomains) {
                filter.setAllDomains(true);
            } else {
                filter.addAllDomains(domains);
            }
            long cursor = state.cursor();
            request = SubscribeRequest.newBuilder().setFilter(filter).setResumeAfterSequence(cursor)
                    .setIncludeSnapshot(cursor == 0).build();
            streamContext = context;
            subscriptionId = null;
        }
        try {
            Iterator<SubscribeResponse> responses = context.call(() -> stub.subscribe(request));
            StreamReader reader = new StreamReader(request.getResumeAfterSequence() == 0);
            while (responses.hasNext()) {
                reader.accept(responses.next());
            }
            return null;
        } catch (HandlerFailure failed) {
            return new AimClientException(Status.Code.ABORTED, "", "the handler failed: " + failed.getCause(),
                    Map.of(), failed.getCause());
        } catch (Exception failed) {
            return AimClientException.from(failed);
        } finally {
            synchronized (lock) {
                streamContext = null;
                subscriptionId = null;
            }
            context.cancel(null);
        }
    }

    /** Reads one stream's messages: snapshots are gathered, then applied whole; events one by one. */
    private final class StreamReader {
        private final boolean firstSnapshotIsFull;
        private boolean fullSnapshotSeen;
        private List<DomainSnapshot> snapshot;

        StreamReader(boolean firstSnapshotIsFull) {
            this.firstSnapshotIsFull = firstSnapshotIsFull;
        }

        void accept(SubscribeResponse response) {
            try {
                switch (response.getMessageCase()) {
                    case STARTED -> {
                        synchronized (lock) {
                            subscriptionId = response.getStarted().getSubscriptionId();
                        }
                        backoff.reset();
                        if (response.getStarted().getResumed()) {
                            state.resumed();
                        }
                    }
                    case SNAPSHOT_START -> snapshot = new ArrayList<>(response.getSnapshotStart().getDomainCount());
                    case SNAPSHOT_DOMAIN -> snapshot.add(response.getSnapshotDomain());
                    case SNAPSHOT_END -> {
                        boolean full = response.getSnapshotEnd().getReason()
                                == SnapshotReason.SNAPSHOT_REASON_RESUME_POINT_LOST
                                || (firstSnapshotIsFull && !fullSnapshotSeen);
                        fullSnapshotSeen |= full;
                        state.applySnapshot(snapshot, response.getSnapshotEnd().getAsOfSequence(), full);
                        snapshot = null;
                        if (!full) {
                            synchronized (lock) {
                                pendingAddedSnapshots = Math.max(0, pendingAddedSnapshots - 1);
                            }
                        }
                    }
                    case EVENT -> state.applyEvent(response.getEvent());
                    default -> {
                        // a message kind of a newer agent: nothing to apply
                    }
                }
            } catch (Exception | Error failed) {
                throw new HandlerFailure(failed);
            }
        }
    }

    /** Configures a watcher: every domain and kind by default, an in-memory cursor, backoff 0.1 s to 10 s. */
    public static final class Builder {
        private final Channel channel;
        private final DomainEventHandler handler;
        private final List<DomainRef> domains = new ArrayList<>();
        private final List<com.abiquo.aim.v1.DomainEventKind> kinds = new ArrayList<>();
        private SequenceStore store = SequenceStore.inMemory();
        private Duration initialBackoff = Duration.ofMillis(100);
        private Duration maxBackoff = Duration.ofSeconds(10);
        private String threadName = "aim-event-watcher";

        private Builder(Channel channel, DomainEventHandler handler) {
            this.channel = requireNonNull(channel, "channel is null");
            this.handler = requireNonNull(handler, "handler is null");
        }

        /** Watch only these domains (more can be added later with {@link EventWatcher#modify}). */
        public Builder domains(List<DomainRef> watched) {
            domains.addAll(watched);
            return this;
        }

        /** Only these event kinds (the cache then follows only them). */
        public Builder kinds(List<com.abiquo.aim.v1.DomainEventKind> wanted) {
            kinds.addAll(wanted);
            return this;
        }

        public Builder sequenceStore(SequenceStore sequenceStore) {
            this.store = requireNonNull(sequenceStore, "sequenceStore is null");
            return this;
        }

        public Builder backoff(Duration initial, Duration max) {
            this.initialBackoff = requireNonNull(initial, "initial is null");
            this.maxBackoff = requireNonNull(max, "max is null");
            return this;
        }

        public Builder threadName(String name) {
            this.threadName = requireNonNull(name, "name is null");
            return this;
        }

        public EventWatcher build() {
            return new EventWatcher(this);
        }

        /** Builds and starts. */
        public EventWatcher start() {
            return build().start();
        }
    }
}
