package com.abiquo.aim.dist.bench;

import static java.nio.charset.StandardCharsets.UTF_8;

import com.abiquo.aim.v1.DomainEvent;
import com.google.protobuf.InvalidProtocolBufferException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentLinkedQueue;
import redis.clients.jedis.Jedis;
import redis.clients.jedis.Protocol;
import redis.clients.jedis.exceptions.JedisException;

/**
 * A controller's consumer group: readers that share every node's stream with XREADGROUP and XACK what they took, as
 * docs/eventbus.md tells a controller to. After a lost connection (Redis restarted) a reader first takes again what
 * is pending for it (ID 0: delivered before the restart, perhaps never received), then new entries ('>').
 */
final class FleetReaders implements AutoCloseable {
    static final String GROUP = "controller";

    /** One delivery: which reader, which stream, the entry, when it arrived. */
    record Receipt(int reader, String stream, String id, String type, long sequence, long eventMicros,
            long receivedMicros, boolean redelivered) {
        long idMillisPart() {
            return Long.parseLong(id.substring(0, id.indexOf('-')));
        }

        long idSequencePart() {
            return Long.parseLong(id.substring(id.indexOf('-') + 1));
        }
    }

    private final FleetRedis redis;
    private final List<String> streams;
    private final ConcurrentLinkedQueue<Receipt> receipts = new ConcurrentLinkedQueue<>();
    private final List<Thread> threads = new ArrayList<>();
    private volatile boolean stopped;

    FleetReaders(FleetRedis redis, List<String> streams, int readers) {
        this.redis = redis;
        this.streams = List.copyOf(streams);
        try (Jedis jedis = redis.client()) {
            for (String stream : streams) {
                jedis.sendCommand(Protocol.Command.XGROUP, "CREATE", stream, GROUP, "0", "MKSTREAM");
            }
        }
        for (int reader = 0; reader < readers; reader++) {
            int index = reader;
            Thread thread = new Thread(() -> read(index), "reader-" + reader);
            threads.add(thread);
            thread.start();
        }
    }

    private void read(int reader) {
        Jedis jedis = null;
        boolean pendingFirst = true;
        while (!stopped) {
            try {
                if (jedis == null) {
                    jedis = redis.client();
                }
                int taken = readOnce(jedis, reader, pendingFirst);
                if (pendingFirst && taken == 0) {
                    pendingFirst = false;
                }
            } catch (JedisException lost) {
                if (jedis != null) {
                    jedis.close();
                    jedis = null;
                }
                pendingFirst = true;
                backOff();
            }
        }
        if (jedis != null) {
            jedis.close();
        }
    }

    /** One XREADGROUP over every stream, then XACK of what came; how many entries came. */
    private int readOnce(Jedis jedis, int reader, boolean pending) {
        List<String> arguments = new ArrayList<>(List.of("GROUP", GROUP, "reader-" + reader, "COUNT", "200"));
        if (!pending) {
            arguments.addAll(List.of("BLOCK", "1000"));
        }
        arguments.add("STREAMS");
        arguments.addAll(streams);
        for (int index = 0; index < streams.size(); index++) {
            arguments.add(pending ? "0" : ">");
        }
        Object reply = jedis.sendCommand(Protocol.Command.XREADGROUP, arguments.toArray(String[]::new));
        if (reply == null) {
            return 0;
        }
        long receivedMicros = micros(Instant.now());
        int taken = 0;
        Map<String, List<String>> toAck = new HashMap<>();
        for (Object item : (List<?>) reply) {
            List<?> streamReply = (List<?>) item;
            String stream = new String((byte[]) streamReply.get(0), UTF_8);
            for (Object entryItem : (List<?>) streamReply.get(1)) {
                List<?> entry = (List<?>) entryItem;
                String id = new String((byte[]) entry.get(0), UTF_8);
                if (entry.get(1) == null) {
                    continue; // pending entry trimmed away meanwhile
                }
                receipts.add(receipt(reader, stream, id, (List<?>) entry.get(1), receivedMicros, pending));
                toAck.computeIfAbsent(stream, key -> new ArrayList<>()).add(id);
                taken++;
            }
        }
        for (Map.Entry<String, List<String>> acks : toAck.entrySet()) {
            List<String> ackArguments = new ArrayList<>(List.of(acks.getKey(), GROUP));
            ackArguments.addAll(acks.getValue());
            jedis.sendCommand(Protocol.Command.XACK, ackArguments.toArray(String[]::new));
        }
        return taken;
    }

    private static Receipt receipt(int reader, String stream, String id, List<?> values, long receivedMicros,
            boolean redelivered) {
        Map<String, byte[]> fields = new HashMap<>();
        for (int index = 0; index + 1 < values.size(); index += 2) {
            fields.put(new String((byte[]) values.get(index), UTF_8), (byte[]) values.get(index + 1));
        }
        String type = new String(fields.get("type"), UTF_8);
        long sequence = fields.containsKey("sequence") ? Long.parseLong(new String(fields.get("sequence"), UTF_8))
                : -1;
        long eventMicros = 0;
        if (fields.containsKey("event")) {
            try {
                DomainEvent event = DomainEvent.parseFrom(fields.get("event"));
                eventMicros = event.getTime().getSeconds() * 1_000_000 + event.getTime().getNanos() / 1_000;
            } catch (InvalidProtocolBufferException broken) {
                throw new IllegalStateException("entry " + id + " of " + stream + ": event is no DomainEvent", broken);
            }
        }
        return new Receipt(reader, stream, id, type, sequence, eventMicros, receivedMicros, redelivered);
    }

    static long micros(Instant instant) {
        return instant.getEpochSecond() * 1_000_000 + instant.getNano() / 1_000;
    }

    /** Between reconnection attempts while Redis is away: a pace, not a synchronisation. */
    private static void backOff() {
        try {
            Thread.sleep(100);
        } catch (InterruptedException interrupted) {
            Thread.currentThread().interrupt();
        }
    }

    List<Receipt> receipts() {
        return List.copyOf(receipts);
    }

    @Override
    public void close() throws InterruptedException {
        stopped = true;
        for (Thread thread : threads) {
            thread.join(10_000);
        }
    }
}
