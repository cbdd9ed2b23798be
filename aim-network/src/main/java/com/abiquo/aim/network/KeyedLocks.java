package com.abiquo.aim.network;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import java.util.concurrent.locks.ReentrantLock;

/**
 * One lock per interface name, so calls on the same VLAN or bridge run one after another while calls on others
 * do not wait. Several names are taken in sorted order (no deadlock between two calls sharing a bridge); a lock
 * disappears when nobody holds or waits for it.
 */
final class KeyedLocks {
    private static final class Entry {
        final ReentrantLock lock = new ReentrantLock();
        int users;
    }

    /** Releases what {@link #lock} took. */
    interface Held extends AutoCloseable {
        @Override
        void close();
    }

    private final Map<String, Entry> entries = new HashMap<>();

    Held lock(String... keys) {
        List<String> sorted = List.copyOf(new TreeSet<>(List.of(keys)));
        List<Entry> taken = new java.util.ArrayList<>();
        for (String key : sorted) {
            Entry entry;
            synchronized (entries) {
                entry = entries.computeIfAbsent(key, name -> new Entry());
                entry.users++;
            }
            entry.lock.lock();
            taken.add(entry);
        }
        return () -> {
            for (int i = taken.size() - 1; i >= 0; i--) {
                taken.get(i).lock.unlock();
                release(sorted.get(i), taken.get(i));
            }
        };
    }

    private void release(String key, Entry entry) {
        synchronized (entries) {
            if (--entry.users == 0) {
                entries.remove(key);
            }
        }
    }

    int size() {
        synchronized (entries) {
            return entries.size();
        }
    }
}
