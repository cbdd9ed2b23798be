package com.abiquo.aim.ctl;

import static java.util.Objects.requireNonNull;

import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.MessageOrBuilder;
import com.google.protobuf.util.JsonFormat;
import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.List;

/** Prints a command's answer: a human table, or the agent's message as JSON (-o json). */
final class Output {
    private static final JsonFormat.Printer JSON = JsonFormat.printer().alwaysPrintFieldsWithNoPresence();
    private static final JsonFormat.Printer JSON_LINE = JSON.omittingInsignificantWhitespace();

    private final PrintWriter out;
    private final AimCtl.OutputFormat format;

    Output(PrintWriter out, AimCtl.OutputFormat format) {
        this.out = requireNonNull(out, "out is null");
        this.format = requireNonNull(format, "format is null");
    }

    boolean json() {
        return format == AimCtl.OutputFormat.json;
    }

    PrintWriter writer() {
        return out;
    }

    /** The message as indented JSON. */
    void json(MessageOrBuilder message) {
        out.println(print(JSON, message));
        out.flush();
    }

    /** The message as JSON on one line (a stream of messages: JSON Lines). */
    void jsonLine(MessageOrBuilder message) {
        out.println(print(JSON_LINE, message));
        out.flush();
    }

    void line(String text) {
        out.println(text);
        out.flush();
    }

    /** Prints rows under a header, each column as wide as its widest cell. */
    void table(List<String> header, List<List<String>> rows) {
        List<List<String>> all = new ArrayList<>();
        all.add(header);
        all.addAll(rows);
        int[] widths = new int[header.size()];
        for (List<String> row : all) {
            for (int i = 0; i < row.size(); i++) {
                widths[i] = Math.max(widths[i], row.get(i).length());
            }
        }
        for (List<String> row : all) {
            StringBuilder line = new StringBuilder();
            for (int i = 0; i < row.size(); i++) {
                line.append(i == row.size() - 1 ? row.get(i) : String.format("%-" + widths[i] + "s  ", row.get(i)));
            }
            out.println(line.toString().stripTrailing());
        }
        out.flush();
    }

    private static String print(JsonFormat.Printer printer, MessageOrBuilder message) {
        try {
            return printer.print(message);
        } catch (InvalidProtocolBufferException impossible) {
            throw new IllegalStateException("cannot print " + message.getClass().getSimpleName() + " as JSON",
                    impossible);
        }
    }

    /** DOMAIN_STATE_RUNNING -> RUNNING: enum names without their type's prefix. */
    static String shortName(Enum<?> value, String prefix) {
        String name = value.name();
        return name.startsWith(prefix) ? name.substring(prefix.length()) : name;
    }
}
