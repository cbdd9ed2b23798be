package com.abiquo.aim.client;

import com.abiquo.aim.v1.DomainEvent;
import com.abiquo.aim.v1.DomainSnapshot;
import com.google.protobuf.InvalidProtocolBufferException;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.Map;

/**
 * One entry of a node's Redis event stream, decoded (the event bus's format): an {@code event} (ID
 * {@code <sequence>-0}, the DomainEvent in field {@code event}); or a lost resume point, written as a {@code marker}
 * ({@code <S>-1}, {@code reason}=RESUME_POINT_LOST, {@code domains}=n), n {@code snapshot} entries (the
 * DomainSnapshot in field {@code snapshot}) and a {@code snapshot-end}, all with {@code sequence}=S.
 */
sealed interface StreamEntry {
    record Event(DomainEvent event) implements StreamEntry {
    }

    record Marker(String node, long sequence, String reason, int domains) implements StreamEntry {
    }

    record Snapshot(long sequence, DomainSnapshot domain) implements StreamEntry {
    }

    record SnapshotEnd(long sequence) implements StreamEntry {
    }

    /** An entry of a type this client does not know (a newer event bus): acknowledged and skipped. */
    record Other(String type) implements StreamEntry {
    }

    static StreamEntry decode(Map<byte[], byte[]> raw) throws InvalidProtocolBufferException {
        Map<String, byte[]> fields = new HashMap<>();
        raw.forEach((key, value) -> fields.put(new String(key, StandardCharsets.UTF_8), value));
        String type = text(fields, "type");
        return switch (type) {
            case "event" -> new Event(DomainEvent.parseFrom(fields.getOrDefault("event", new byte[0])));
            case "marker" -> new Marker(text(fields, "node"), Long.parseUnsignedLong(text(fields, "sequence")),
                    text(fields, "reason"), Integer.parseInt(text(fields, "domains")));
            case "snapshot" -> new Snapshot(Long.parseUnsignedLong(text(fields, "sequence")),
                    DomainSnapshot.parseFrom(fields.getOrDefault("snapshot", new byte[0])));
            case "snapshot-end" -> new SnapshotEnd(Long.parseUnsignedLong(text(fields, "sequence")));
            default -> new Other(type);
        };
    }

    private static String text(Map<String, byte[]> fields, String name) {
        byte[] value = fields.get(name);
        return value == null ? "" : new String(value, StandardCharsets.UTF_8);
    }
}
