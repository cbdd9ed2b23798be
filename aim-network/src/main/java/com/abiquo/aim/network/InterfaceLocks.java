package com.abiquo.aim.network;

import com.google.common.util.concurrent.Striped;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.locks.Lock;

/**
 * Locks by interface name, so calls on the same VLAN or bridge run one after another while calls on others do not
 * wait. Guava's {@link Striped}: names hash onto a fixed number of lazily made, weakly held locks (one nobody holds
 * is collected), and {@link Striped#bulkGet} hands the locks of several names in one global order, so two calls
 * sharing a bridge cannot deadlock. Two unrelated names may share a stripe: those two calls then take turns, which is
 * harmless (each is short) and rare with this many stripes.
 */
final class InterfaceLocks {
    private static final int STRIPES = 1024;
    private final Striped<Lock> stripes = Striped.lazyWeakLock(STRIPES);

    /** Releases what {@link #lock} took. */
    interface Held extends AutoCloseable {
        @Override
        void close();
    }

    /** Waits for and takes the locks of all these interfaces. */
    Held lock(String... names) {
        List<Lock> taken = new ArrayList<>();
        for (Lock lock : stripes.bulkGet(Arrays.asList(names))) {
            lock.lock();   // reentrant: two names on one stripe take it twice
            taken.add(lock);
        }
        return () -> {
            for (int i = taken.size() - 1; i >= 0; i--) {
                taken.get(i).unlock();
            }
        };
    }
}
