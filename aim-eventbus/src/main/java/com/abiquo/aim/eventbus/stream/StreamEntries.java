package com.abiquo.aim.eventbus.stream;

import static java.nio.charset.StandardCharsets.UTF_8;
import static java.util.Objects.requireNonNull;

import com.abiquo.aim.core.module.NodeIdentity;
import com.abiquo.aim.core.spi.EventFeed;
import com.abiquo.aim.v1.DomainEvent;
import com.abiquo.aim.v1.DomainSnapshot;
import java.time.Instant;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;

/**
 * The stream's entry format (docs/eventbus.md, a contract with consumers such as aim-client's StreamEventWatcher):
 * the arguments of each XADD. An event is entry {@code <sequence>-0}; a lost resume point is a marker at
 * {@code <S>-1}, one snapshot entry per domain at {@code <S>-2...}, and a snapshot-end, where S is the sequence the
 * snapshot is as of. Live events go on at {@code <S+1>-0}.
 */
public final class StreamEntries {
    public static final String RESUME_POINT_LOST = "RESUME_POINT_LOST";

    private final byte[] key;
    private final byte[] maxLength;
    private final byte[] node;
    private final byte[] address;

    public StreamEntries(String key, long maxLength, NodeIdentity identity) {
        this.key = requireNonNull(key, "key is null").getBytes(UTF_8);
        this.maxLength = Long.toString(maxLength).getBytes(UTF_8);
        this.node = text(requireNonNull(identity, "identity is null").hostname());
        this.address = text(identity.address());
    }

    /** XADD arguments of one event. */
    public byte[][] event(DomainEvent event) {
        Instant time = Instant.ofEpochSecond(event.getTime().getSeconds(), event.getTime().getNanos());
        List<byte[]> args = start(event.getSequence() + "-0");
        field(args, "type", "event");
        field(args, "sequence", Long.toUnsignedString(event.getSequence()));
        field(args, "time", DateTimeFormatter.ISO_INSTANT.format(time));
        field(args, "node", text(event.getNode().getHostname()));
        field(args, "address", text(event.getNode().getAddress()));
        field(args, "uuid", event.getDomainUuid());
        field(args, "name", event.getDomainName());
        field(args, "kind", event.getKind().name());
        field(args, "state", event.getState().name());
        field(args, "libvirt_event", event.getLibvirtEvent());
        field(args, "resync", Boolean.toString(event.getResync()));
        field(args, "event", event.toByteArray());
        return args.toArray(byte[][]::new);
    }

    /** XADD arguments of the marker, each domain's snapshot entry and the snapshot-end, in order. */
    public List<byte[][]> snapshot(EventFeed.Snapshot snapshot, Instant now) {
        long sequence = snapshot.asOfSequence();
        String asOf = Long.toUnsignedString(sequence);
        String count = Integer.toString(snapshot.domains().size());
        List<byte[][]> commands = new ArrayList<>(snapshot.domains().size() + 2);
        List<byte[]> marker = start(sequence + "-1");
        field(marker, "type", "marker");
        field(marker, "reason", RESUME_POINT_LOST);
        field(marker, "sequence", asOf);
        field(marker, "node", node);
        field(marker, "address", address);
        field(marker, "time", DateTimeFormatter.ISO_INSTANT.format(now));
        field(marker, "domains", count);
        commands.add(marker.toArray(byte[][]::new));
        long entry = 2;
        for (DomainSnapshot domain : snapshot.domains()) {
            List<byte[]> args = start(sequence + "-" + entry++);
            field(args, "type", "snapshot");
            field(args, "sequence", asOf);
            field(args, "node", node);
            field(args, "address", address);
            field(args, "uuid", domain.getDomainUuid());
            field(args, "name", domain.getDomainName());
            field(args, "state", domain.getState().name());
            field(args, "snapshot", domain.toByteArray());
            commands.add(args.toArray(byte[][]::new));
        }
        List<byte[]> end = start(sequence + "-" + entry);
        field(end, "type", "snapshot-end");
        field(end, "sequence", asOf);
        field(end, "domains", count);
        commands.add(end.toArray(byte[][]::new));
        return commands;
    }

    private List<byte[]> start(String id) {
        List<byte[]> args = new ArrayList<>(28);
        args.add(key);
        args.add(MAXLEN);
        args.add(APPROXIMATE);
        args.add(maxLength);
        args.add(id.getBytes(UTF_8));
        return args;
    }

    private static final byte[] MAXLEN = "MAXLEN".getBytes(UTF_8);
    private static final byte[] APPROXIMATE = "~".getBytes(UTF_8);

    private static void field(List<byte[]> args, String name, String value) {
        field(args, name, value.getBytes(UTF_8));
    }

    private static void field(List<byte[]> args, String name, byte[] value) {
        args.add(name.getBytes(UTF_8));
        args.add(value);
    }

    private static byte[] text(String value) {
        return (value == null ? "" : value).getBytes(UTF_8);
    }
}
