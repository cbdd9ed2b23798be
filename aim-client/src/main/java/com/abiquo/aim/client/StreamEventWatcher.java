package com.abiquo.aim.client;

import static java.util.Objects.requireNonNull;

import com.abiquo.aim.v1.DomainEvent;
import com.abiquo.aim.v1.DomainSnapshot;
import io.grpc.Status;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import redis.clients.jedis.Jedis;
import redis.clients.jedis.StreamEntryID;
import redis.clients.jedis.exceptions.JedisDataException;
import redis.clients.jedis.params.XAutoClaimParams;
import redis.clients.jedis.params.XReadGroupParams;
import redis.clients.jedis.resps.StreamEntryBinary;

/**
 * The {@link EventWatcher}'s twin over a node's Redis event stream (default key {@code aim:events:<hostname>}),
 * with the same {@link DomainEventHandler}: a consumer of a consumer group that
 * <ul>
 * <li>handles its own pending entries first (a restart after a crash), then new ones, in stream order;</li>
 * <li>acknowledges an entry (XACK) only after the handler returned (a handler that throws leaves it pending: it
 * comes again after a backoff);</li>
 * <li>takes over the entries a dead consumer of the group left pending for longer than {@code claimIdle}
 * (XAUTOCLAIM), and reads nothing newer until they are handled (so a standby keeps the order);</li>
 * <li>drops an event whose (node, sequence) it already handled (Redis can deliver twice: a claim of an entry the
 * dead consumer handled but had not acknowledged, a failover);</li>
 * <li>treats a RESUME_POINT_LOST marker and the snapshot entries after it as a lost resume point: the snapshot
 * replaces the cache and vanished domains are reported deleted.</li>
 * </ul>
 * The cache and the ordering are those of one consumer: run one active consumer per group (others, with their
 * own names, take over through XAUTOCLAIM when it dies).
 */
public final class StreamEventWatcher implements AutoCloseable {
    private final Builder settings;
    private final DomainEventHandler handler;
    private final WatchState state;
    private final Backoff backoff;
    private final Map<String, Long> handledPerNode = new HashMap<>();
    private final CountDownLatch closing = new CountDownLatch(1);
    private final CompletableFuture<Long> synced = new CompletableFuture<>();
    private final Thread thread;
    private volatile Jedis jedis;
    private long lastClaimNanos;
    /** A snapshot being gathered: its marker and the entries read so far (acknowledged once it is applied). */
    private StreamEntry.Marker snapshotMarker;
    private final List<DomainSnapshot> snapshotDomains = new ArrayList<>();
    private final List<StreamEntryID> snapshotIds = new ArrayList<>();

    private StreamEventWatcher(Builder builder) {
        this.settings = builder;
        this.handler = builder.handler;
        this.state = new WatchState(builder.handler, builder.store);
        this.backoff = new Backoff(Duration.ofMillis(100), builder.maxBackoff);
        this.thread = new Thread(this::run, "aim-stream-watcher");
        this.thread.setDaemon(true);
    }

    /** A watcher of {@code streamKey} on the Redis at host:port, as {@code consumer} of {@code group}. */
    public static Builder builder(String host, int port, String streamKey, String group, String consumer,
            DomainEventHandler handler) {
        return new Builder(host, port, streamKey, group, consumer, handler);
    }

    /** The default stream key of a node. */
    public static String streamKey(String hostname) {
        return "aim:events:" + hostname;
    }

    public StreamEventWatcher start() {
        thread.start();
        return this;
    }

    /**
     * Completes once the backlog (pending entries and the stream up to now) has been handled and the watcher has a
     * view of the node: a marker's snapshot, an event or the store's cursor. A watcher started before the node's
     * agent has written anything waits for the agent's first marker (every run of the agent begins with one).
     */
    public CompletableFuture<Long> synced() {
        return synced;
    }

    public Map<String, DomainSnapshot> domains() {
        return state.copy();
    }

    public long cursor() {
        return state.cursor();
    }

    @Override
    public void close() {
        closing.countDown();
        Jedis connection = jedis;
        if (connection != null) {
            connection.disconnect(); // ends a blocked XREADGROUP
        }
        try {
            thread.join(TimeUnit.SECONDS.toMillis(10));
        } catch (InterruptedException interrupted) {
            Thread.currentThread().interrupt();
        }
    }

    private boolean closed() {
        return closing.getCount() == 0;
    }

    private void run() {
        state.cursor(); // the store's cursor: events at or before it were handled by an earlier run
        while (!closed()) {
            try (Jedis connection = new Jedis(settings.host, settings.port)) {
                jedis = connection;
                createGroup(connection);
                consume(connection);
            } catch (RuntimeException failed) {
                if (closed()) {
                    break;
                }
                Duration delay = backoff.next();
                handler.onDisconnected(failure(failed), delay);
                try {
                    if (closing.await(delay.toMillis(), TimeUnit.MILLISECONDS)) {
                        break;
                    }
                } catch (InterruptedException interrupted) {
                    break;
                }
            }
        }
    }

    private static AimClientException failure(RuntimeException failed) {
        if (failed instanceof HandlerFailure) {
            return new AimClientException(Status.Code.ABORTED, "", "the handler failed: " + failed.getCause(),
                    Map.of(), failed.getCause());
        }
        return new AimClientException(Status.Code.UNAVAILABLE, "", "redis: " + failed.getMessage(), Map.of(), failed);
    }

    private void createGroup(Jedis connection) {
        try {
            connection.xgroupCreate(settings.streamKey, settings.group, settings.groupStart, true);
        } catch (JedisDataException exists) {
            if (!String.valueOf(exists.getMessage()).startsWith("BUSYGROUP")) {
                throw exists;
            }
        }
    }

    private void consume(Jedis connection) {
        readPending(connection);
        while (!closed()) {
            claimAbandoned(connection);
            if (othersPending(connection)) {
                // entries another consumer took and has not acknowledged are older than anything new: wait until
                // it acknowledges them or they are idle long enough to be taken over, so order is kept
                lastClaimNanos = 0;
                awaitQuietly(settings.claimEvery);
                continue;
            }
            List<StreamEntryBinary> fresh = read(connection, StreamEntryID.XREADGROUP_UNDELIVERED_ENTRY,
                    (int) settings.block.toMillis());
            backoff.reset();
            if (fresh.isEmpty()) {
                // caught up; but with nothing handled yet (cursor 0: no snapshot, no event, no stored cursor) the
                // cache is not the node's view, only an empty or not yet written stream: wait for its marker
                if (!synced.isDone() && snapshotMarker == null && state.cursor() > 0) {
                    handler.onSynced(state.cursor(), Map.of());
                    synced.complete(state.cursor());
                }
                continue;
            }
            fresh.forEach(entry -> handle(connection, entry));
        }
    }

    private boolean othersPending(Jedis connection) {
        Map<String, Long> perConsumer = connection.xpending(settings.streamKey, settings.group)
                .getConsumerMessageCount();
        return perConsumer != null && perConsumer.entrySet().stream()
                .anyMatch(e -> !e.getKey().equals(settings.consumer) && e.getValue() > 0);
    }

    private void awaitQuietly(Duration delay) {
        try {
            closing.await(delay.toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException interrupted) {
            Thread.currentThread().interrupt();
            closing.countDown();
        }
    }

    /** This consumer's own pending entries (delivered before a crash or a failure, or just claimed), oldest first. */
    private void readPending(Jedis connection) {
        clearSnapshot();
        StreamEntryID after = new StreamEntryID(0, 0);
        while (true) {
            List<StreamEntryBinary> pending = read(connection, after, -1);
            if (pending.isEmpty()) {
                return;
            }
            for (StreamEntryBinary entry : pending) {
                handle(connection, entry);
                after = entry.getID();
            }
        }
    }

    private void claimAbandoned(Jedis connection) {
        long now = System.nanoTime();
        if (now - lastClaimNanos < settings.claimEvery.toNanos()) {
            return;
        }
        lastClaimNanos = now;
        StreamEntryID start = new StreamEntryID(0, 0);
        boolean claimed = false;
        do {
            Map.Entry<StreamEntryID, List<StreamEntryID>> page = connection.xautoclaimJustId(settings.streamKey,
                    settings.group, settings.consumer, settings.claimIdle.toMillis(), start,
                    new XAutoClaimParams().count(100));
            claimed |= !page.getValue().isEmpty();
            start = page.getKey();
        } while (!start.equals(new StreamEntryID(0, 0)));
        if (claimed) {
            readPending(connection); // now ours: handled in stream order before anything newer
        }
    }

    private List<StreamEntryBinary> read(Jedis connection, StreamEntryID from, int blockMillis) {
        XReadGroupParams params = XReadGroupParams.xReadGroupParams().count(settings.batch);
        if (blockMillis >= 0) {
            params.block(blockMillis);
        }
        List<Map.Entry<byte[], List<StreamEntryBinary>>> streams = connection.xreadGroupBinary(
                bytes(settings.group), bytes(settings.consumer), params, Map.of(bytes(settings.streamKey), from));
        if (streams == null || streams.isEmpty()) {
            return List.of();
        }
        // a pending entry deleted from the stream meanwhile comes back without fields: nothing to handle
        return streams.get(0).getValue().stream().filter(e -> e.getFields() != null).toList();
    }

    private void handle(Jedis connection, StreamEntryBinary raw) {
        StreamEntry entry;
        try {
            entry = StreamEntry.decode(raw.getFields());
        } catch (Exception malformed) {
            // an entry no one can decode would block the group for ever: acknowledged, reported through the handler
            handler.onDisconnected(new AimClientException(Status.Code.DATA_LOSS, "", "stream entry " + raw.getID()
                    + " cannot be read: " + malformed.getMessage(), Map.of(), malformed), Duration.ZERO);
            ack(connection, raw.getID());
            return;
        }
        try {
            if (entry instanceof StreamEntry.Event event) {
                handleEvent(event.event());
            } else if (entry instanceof StreamEntry.Marker marker) {
                clearSnapshot();
                snapshotMarker = marker;
                snapshotIds.add(raw.getID());
                return;
            } else if (entry instanceof StreamEntry.Snapshot snapshot && snapshotMarker != null
                    && snapshot.sequence() == snapshotMarker.sequence()) {
                snapshotDomains.add(snapshot.domain());
                snapshotIds.add(raw.getID());
                return;
            } else if (entry instanceof StreamEntry.SnapshotEnd end && snapshotMarker != null
                    && end.sequence() == snapshotMarker.sequence()) {
                snapshotIds.add(raw.getID());
                applySnapshot(connection);
                return;
            }
            // anything else (a newer entry type, a snapshot entry without its marker): nothing to apply
        } catch (Exception | Error failed) {
            throw new HandlerFailure(failed);
        }
        ack(connection, raw.getID());
    }

    private void handleEvent(DomainEvent event) throws Exception {
        String node = event.getNode().getHostname();
        long handled = Math.max(handledPerNode.getOrDefault(node, 0L), state.cursor());
        if (event.getSequence() <= handled) {
            return; // delivered twice
        }
        state.applyEvent(event);
        handledPerNode.put(node, event.getSequence());
    }

    private void applySnapshot(Jedis connection) throws Exception {
        StreamEntry.Marker marker = snapshotMarker;
        if (marker.sequence() >= state.cursor()) {
            state.applySnapshot(snapshotDomains, marker.sequence(), true);
            handledPerNode.put(marker.node(), marker.sequence());
        }
        ack(connection, snapshotIds.toArray(new StreamEntryID[0]));
        clearSnapshot();
    }

    private void clearSnapshot() {
        snapshotMarker = null;
        snapshotDomains.clear();
        snapshotIds.clear();
    }

    private void ack(Jedis connection, StreamEntryID... ids) {
        connection.xack(settings.streamKey, settings.group, ids);
    }

    private static byte[] bytes(String text) {
        return text.getBytes(StandardCharsets.UTF_8);
    }

    /** Settings: the group starts at the stream's beginning; claims every 5 s entries idle for 30 s. */
    public static final class Builder {
        private final String host;
        private final int port;
        private final String streamKey;
        private final String group;
        private final String consumer;
        private final DomainEventHandler handler;
        private StreamEntryID groupStart = new StreamEntryID(0, 0);
        private SequenceStore store = SequenceStore.inMemory();
        private Duration claimIdle = Duration.ofSeconds(30);
        private Duration claimEvery = Duration.ofSeconds(5);
        private Duration block = Duration.ofSeconds(1);
        private Duration maxBackoff = Duration.ofSeconds(10);
        private int batch = 100;

        private Builder(String host, int port, String streamKey, String group, String consumer,
                DomainEventHandler handler) {
            this.host = requireNonNull(host, "host is null");
            this.port = port;
            this.streamKey = requireNonNull(streamKey, "streamKey is null");
            this.group = requireNonNull(group, "group is null");
            this.consumer = requireNonNull(consumer, "consumer is null");
            this.handler = requireNonNull(handler, "handler is null");
        }

        /** Where a new group starts: the stream's beginning (default) or {@code StreamEntryID.XGROUP_LAST_ENTRY}. */
        public Builder groupStart(StreamEntryID start) {
            this.groupStart = requireNonNull(start, "start is null");
            return this;
        }

        public Builder sequenceStore(SequenceStore sequenceStore) {
            this.store = requireNonNull(sequenceStore, "sequenceStore is null");
            return this;
        }

        /** Take over a dead consumer's entries once pending this long, checking this often. */
        public Builder claim(Duration idle, Duration every) {
            this.claimIdle = requireNonNull(idle, "idle is null");
            this.claimEvery = requireNonNull(every, "every is null");
            return this;
        }

        public Builder maxBackoff(Duration max) {
            this.maxBackoff = requireNonNull(max, "max is null");
            return this;
        }

        public StreamEventWatcher build() {
            return new StreamEventWatcher(this);
        }

        public StreamEventWatcher start() {
            return build().start();
        }
    }
}
