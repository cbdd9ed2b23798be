package com.abiquo.aim.client;

import java.util.OptionalLong;

/**
 * Where a watcher keeps its cursor: the sequence of the last change a handler finished. {@link #save} is called
 * only after the handler returned, so a restarted controller resumes after what it really handled (at least once;
 * exactly once when the handler's own commit and the save are one transaction).
 */
public interface SequenceStore {
    /** The cursor saved last, empty when none was saved (the watcher starts with a snapshot). */
    OptionalLong load();

    void save(long sequence);

    /** A store that forgets (the default): every start begins with a snapshot. */
    static SequenceStore inMemory() {
        return new SequenceStore() {
            private volatile long saved = -1;

            @Override
            public OptionalLong load() {
                return saved < 0 ? OptionalLong.empty() : OptionalLong.of(saved);
            }

            @Override
            public void save(long sequence) {
                saved = sequence;
            }
        };
    }
}
