package com.abiquo.aim.libvirt.events.grpc;

import java.util.AbstractList;
import java.util.ArrayList;

/**
 * A list that one thread appends to while others read, with O(1) appends (a CopyOnWriteArrayList copies the whole
 * array on every add, which turns a stream of thousands of events into a measurable delay). Never shrinks, so
 * iteration by index is safe.
 */
public final class AppendOnlyList<T> extends AbstractList<T> {
    private final ArrayList<T> items = new ArrayList<>();

    @Override
    public synchronized boolean add(T item) {
        return items.add(item);
    }

    @Override
    public synchronized T get(int index) {
        return items.get(index);
    }

    @Override
    public synchronized int size() {
        return items.size();
    }

    /** A copy of the current content. */
    public synchronized ArrayList<T> copy() {
        return new ArrayList<>(items);
    }
}
