package com.abiquo.aim.server;

import com.google.protobuf.ByteString;
import com.google.protobuf.CodedOutputStream;
import com.google.protobuf.Descriptors.Descriptor;
import com.google.protobuf.Descriptors.FieldDescriptor;
import com.google.protobuf.DynamicMessage;
import com.google.protobuf.WireFormat;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Requests for any RPC, built from its descriptor: a plausible base request (paths inside the test's datastore and
 * repository, so that checks past the first one are reached) with one string field, at any depth, replaced by a
 * hostile value. The value is written on the wire as raw bytes, so a field can also carry bytes that are not UTF-8
 * (a real client can send them; protobuf refuses them while parsing).
 */
final class HostileRequests {
    private static final int MAX_DEPTH = 4;

    private final Path datastore;
    private final String repositoryImage;
    private final String datastoreImage;
    private final Map<String, byte[]> values;

    /** One hostile request: what was changed, and the bytes to send. */
    record Request(String description, byte[] bytes) {
    }

    HostileRequests(Path datastore, String repositoryImage, String datastoreImage) {
        this.datastore = datastore;
        this.repositoryImage = repositoryImage;
        this.datastoreImage = datastoreImage;
        Map<String, byte[]> hostile = new LinkedHashMap<>();
        hostile.put("empty", new byte[0]);
        hostile.put("NUL-bearing", utf8("aim\0fuzz"));
        hostile.put("70000 characters", utf8("L".repeat(70_000)));
        hostile.put("200 characters, 400 bytes", utf8("\u00e9".repeat(200)));
        hostile.put("a folder name of 300 bytes", utf8(datastore + "/" + "c".repeat(300) + "/disk.raw"));
        hostile.put("a relative path with a folder name of 300 bytes", utf8("c".repeat(300) + "/disk.raw"));
        hostile.put("a path of 4300 bytes", utf8(datastore + ("/" + "p".repeat(250)).repeat(17) + "/disk.raw"));
        hostile.put("not UTF-8", new byte[] {(byte) 0xC3, 0x28, 'x', (byte) 0xFF, (byte) 0xFE});
        this.values = hostile;
    }

    /** Every hostile value in every string field of the request type (recursively). */
    List<Request> all(Descriptor type) {
        byte[] base = base(type, 0).toByteArray();
        List<Request> requests = new ArrayList<>();
        for (List<FieldDescriptor> path : stringFields(type, 0)) {
            String name = path.stream().map(FieldDescriptor::getName).reduce((a, b) -> a + "." + b).orElseThrow();
            values.forEach((what, value) -> requests.add(new Request(name + " = " + what,
                    concat(base, wire(path, 0, value)))));
        }
        return requests;
    }

    /** Paths (from the top message) to every string field, through nested messages up to MAX_DEPTH. */
    private static List<List<FieldDescriptor>> stringFields(Descriptor type, int depth) {
        List<List<FieldDescriptor>> found = new ArrayList<>();
        if (depth >= MAX_DEPTH) {
            return found;
        }
        for (FieldDescriptor field : type.getFields()) {
            if (field.getType() == FieldDescriptor.Type.STRING) {
                found.add(List.of(field));
            } else if (field.getType() == FieldDescriptor.Type.MESSAGE && !field.isMapField()) {
                for (List<FieldDescriptor> inner : stringFields(field.getMessageType(), depth + 1)) {
                    List<FieldDescriptor> path = new ArrayList<>();
                    path.add(field);
                    path.addAll(inner);
                    found.add(path);
                }
            }
        }
        return found;
    }

    /**
     * A request a careful client might send: string fields named like paths point at real files of the test's
     * datastore and repository, vm_uuid is a plain name; the first message member of each oneof is set.
     */
    private DynamicMessage base(Descriptor type, int depth) {
        DynamicMessage.Builder builder = DynamicMessage.newBuilder(type);
        for (FieldDescriptor field : type.getFields()) {
            if (field.isRepeated()) {
                continue;
            }
            if (field.getType() == FieldDescriptor.Type.STRING) {
                String value = plausible(field.getName());
                if (!value.isEmpty() && field.getContainingOneof() == null) {
                    builder.setField(field, value);
                }
            } else if (field.getType() == FieldDescriptor.Type.MESSAGE && depth < MAX_DEPTH
                    && (field.getContainingOneof() == null
                            || field.getContainingOneof().getFields().get(0).equals(field))) {
                builder.setField(field, base(field.getMessageType(), depth + 1));
            }
        }
        return builder.build();
    }

    private String plausible(String fieldName) {
        String name = fieldName.toLowerCase(Locale.ROOT);
        if (name.equals("repository_path")) {
            return repositoryImage;
        }
        if (name.equals("datastore_path") || name.equals("source_datastore_path")) {
            return datastore.toString();
        }
        if (name.equals("source") || name.equals("old_path") || name.equals("path")) {
            return datastoreImage;
        }
        if (name.equals("destination") || name.equals("new_path")) {
            return datastore.resolve("fuzz-destination/disk.raw").toString();
        }
        if (name.equals("vm_uuid")) {
            return "ABQ_FUZZ";
        }
        if (name.equals("destination_repository_path")) {
            return "fuzz-snapshots";
        }
        if (name.equals("snapshot")) {
            return "fuzz-snapshot.raw";
        }
        return "";
    }

    /** The wire bytes of {@code value} in the string field at the end of {@code path}, wrapped in its parents. */
    private static byte[] wire(List<FieldDescriptor> path, int index, byte[] value) {
        FieldDescriptor field = path.get(index);
        byte[] content = index == path.size() - 1 ? value : wire(path, index + 1, value);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        CodedOutputStream coded = CodedOutputStream.newInstance(out);
        try {
            coded.writeTag(field.getNumber(), WireFormat.WIRETYPE_LENGTH_DELIMITED);
            coded.writeBytesNoTag(ByteString.copyFrom(content));
            coded.flush();
        } catch (IOException impossible) {
            throw new UncheckedIOException(impossible);
        }
        return out.toByteArray();
    }

    /** Protobuf merges a field that appears again: appended, it replaces the base's value (or nests into it). */
    private static byte[] concat(byte[] base, byte[] extra) {
        byte[] all = new byte[base.length + extra.length];
        System.arraycopy(base, 0, all, 0, base.length);
        System.arraycopy(extra, 0, all, base.length, extra.length);
        return all;
    }

    private static byte[] utf8(String text) {
        return text.getBytes(StandardCharsets.UTF_8);
    }
}
