package com.abiquo.aim.network;

import com.abiquo.aim.core.error.AimException;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The undo list of one call: each step that changed something registers how to take it back; when a later step
 * fails, {@link #fail} undoes them newest first and returns the failure with the step and what was undone.
 */
final class Rollback {
    @FunctionalInterface
    interface Undo {
        void run() throws AimException;
    }

    private record Entry(String description, Undo undo) {
    }

    private final String operation;
    private final Deque<Entry> entries = new ArrayDeque<>();

    Rollback(String operation) {
        this.operation = operation;
    }

    /** @param description what running the undo does, e.g. "deleted bridge abiquo_5" */
    void add(String description, Undo undo) {
        entries.push(new Entry(description, undo));
    }

    /** Undoes everything registered and returns {@code failure} restated with the operation and the undo report. */
    AimException fail(AimException failure) {
        List<String> undone = new ArrayList<>();
        List<String> notUndone = new ArrayList<>();
        while (!entries.isEmpty()) {
            Entry entry = entries.pop();
            try {
                entry.undo.run();
                undone.add(entry.description);
            } catch (AimException undoFailure) {
                notUndone.add(entry.description + " (" + undoFailure.getMessage() + ")");
            }
        }
        StringBuilder message = new StringBuilder(operation).append(": ").append(failure.getMessage());
        if (!undone.isEmpty()) {
            message.append("; undone: ").append(String.join(", ", undone));
        }
        if (!notUndone.isEmpty()) {
            message.append("; COULD NOT UNDO: ").append(String.join(", ", notUndone));
        }
        Map<String, String> metadata = new HashMap<>(failure.metadata());
        metadata.put("operation", operation);
        return new AimException(failure.code(), failure.reason(), message.toString(), metadata, failure.getCause());
    }
}
