package com.abiquo.aim.server.security;

import com.google.protobuf.Descriptors.FieldDescriptor;
import com.google.protobuf.Message;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * The key arguments of a request as the audit trail writes them ({@code domain.name="vm-1" datastore_path="..."}):
 * its text, number, boolean and enum fields, one nested message deep. Never logged: bytes (upload chunks), domain XML
 * (it may carry VNC passwords), and every field whose name speaks of a secret (CHAP credentials, passwords, keys).
 */
final class AuditArguments {
    private static final int MAX_VALUE_LENGTH = 256;
    private static final Set<String> SECRET_WORDS = Set.of("secret", "password", "passwd", "chap", "key", "token",
            "credential", "xml");

    private AuditArguments() {
    }

    static String of(Message message) {
        StringBuilder text = new StringBuilder();
        append(text, "", message, 0);
        return text.toString();
    }

    private static void append(StringBuilder text, String prefix, Message message, int depth) {
        for (Map.Entry<FieldDescriptor, Object> field : message.getAllFields().entrySet()) {
            FieldDescriptor descriptor = field.getKey();
            if (secret(descriptor.getName()) || descriptor.isRepeated() || descriptor.isMapField()) {
                continue;
            }
            String name = prefix + descriptor.getName();
            switch (descriptor.getJavaType()) {
                case MESSAGE -> {
                    if (depth == 0) {
                        append(text, name + ".", (Message) field.getValue(), depth + 1);
                    }
                }
                case BYTE_STRING -> {
                    // upload chunks: their size is the only thing worth knowing
                }
                case STRING -> pair(text, name, quoted((String) field.getValue()));
                default -> pair(text, name, String.valueOf(field.getValue()));
            }
        }
    }

    static boolean secret(String fieldName) {
        String lower = fieldName.toLowerCase(Locale.ROOT);
        return SECRET_WORDS.stream().anyMatch(lower::contains);
    }

    private static void pair(StringBuilder text, String name, String value) {
        if (!text.isEmpty()) {
            text.append(' ');
        }
        text.append(name).append('=').append(value);
    }

    /** In double quotes, with quotes, backslashes and control characters escaped: one audit event, one line. */
    static String quoted(String value) {
        String shown = value.length() > MAX_VALUE_LENGTH ? value.substring(0, MAX_VALUE_LENGTH) + "..." : value;
        StringBuilder text = new StringBuilder("\"");
        for (int i = 0; i < shown.length(); i++) {
            char c = shown.charAt(i);
            if (c == '"' || c == '\\') {
                text.append('\\').append(c);
            } else if (c < 0x20 || c == 0x7f) {
                text.append(String.format("\\x%02x", (int) c));
            } else {
                text.append(c);
            }
        }
        return text.append('"').toString();
    }
}
