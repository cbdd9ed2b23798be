package com.abiquo.aim.server;

import static java.util.Objects.requireNonNull;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.google.protobuf.ByteString;
import com.google.protobuf.Descriptors.Descriptor;
import com.google.protobuf.Descriptors.EnumDescriptor;
import com.google.protobuf.Descriptors.FieldDescriptor;
import com.google.protobuf.DynamicMessage;
import java.util.List;

/**
 * Builds a random request of any message type from the fuzzer's input, field by field from the descriptor (so a
 * new RPC or field is fuzzed without touching the test): any subset of the fields set, strings either fuzzed text
 * or a value that leads somewhere on the test server (the test driver's domain, the fixture's files, traversal and
 * NUL-bearing paths), numbers of any value, enums also outside their range, nested and repeated fields.
 */
final class RandomRequests {
    private static final int MAX_DEPTH = 3;
    private static final int MAX_REPEATED = 3;

    private final List<String> leads;

    /** @param leads strings worth trying in any string field */
    RandomRequests(List<String> leads) {
        this.leads = List.copyOf(requireNonNull(leads, "leads is null"));
    }

    DynamicMessage build(Descriptor type, FuzzedDataProvider data) {
        return build(type, data, 0);
    }

    private DynamicMessage build(Descriptor type, FuzzedDataProvider data, int depth) {
        DynamicMessage.Builder message = DynamicMessage.newBuilder(type);
        for (FieldDescriptor field : type.getFields()) {
            if (data.remainingBytes() == 0 || !data.consumeBoolean()) {
                continue;
            }
            if (field.getJavaType() == FieldDescriptor.JavaType.MESSAGE && depth >= MAX_DEPTH) {
                continue;
            }
            if (field.isRepeated()) {
                int count = data.consumeInt(0, MAX_REPEATED);
                for (int i = 0; i < count; i++) {
                    message.addRepeatedField(field, value(field, data, depth));
                }
            } else {
                message.setField(field, value(field, data, depth));
            }
        }
        return message.build();
    }

    private Object value(FieldDescriptor field, FuzzedDataProvider data, int depth) {
        return switch (field.getJavaType()) {
            case STRING -> data.consumeBoolean() ? data.pickValue(leads) : data.consumeString(64);
            case BYTE_STRING -> ByteString.copyFrom(data.consumeBytes(64));
            case INT -> data.consumeInt();
            case LONG -> data.consumeLong();
            case BOOLEAN -> data.consumeBoolean();
            case FLOAT -> data.consumeFloat();
            case DOUBLE -> data.consumeDouble();
            case ENUM -> enumValue(field.getEnumType(), data);
            case MESSAGE -> build(field.getMessageType(), data, depth + 1);
        };
    }

    private static Object enumValue(EnumDescriptor type, FuzzedDataProvider data) {
        int highest = type.getValues().stream().mapToInt(value -> value.getNumber()).max().orElse(0);
        // proto3 enums are open: a number no value names reaches the server as it is
        return type.findValueByNumberCreatingIfUnknown(data.consumeInt(-1, highest + 2));
    }
}
