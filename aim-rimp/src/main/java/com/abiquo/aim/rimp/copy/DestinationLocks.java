package com.abiquo.aim.rimp.copy;

import com.abiquo.aim.core.error.AimException;
import com.abiquo.aim.rimp.RimpErrorReason;
import io.grpc.Status;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Paths that a call is writing right now. A second call that wants one of them does not wait: it fails with
 * ABORTED at once (the first call wins), while calls on different paths run in parallel.
 */
public final class DestinationLocks {
    private final Set<Path> held = ConcurrentHashMap.newKeySet();

    /** A set of held paths, released together. */
    public final class Held implements AutoCloseable {
        private final List<Path> paths;

        private Held(List<Path> paths) {
            this.paths = paths;
        }

        @Override
        public void close() {
            paths.forEach(held::remove);
        }
    }

    /** Takes every path or none; fails with ABORTED naming the busy one. */
    public Held acquire(Path... paths) throws AimException {
        List<Path> taken = new ArrayList<>();
        for (Path path : paths) {
            Path key = path.toAbsolutePath().normalize();
            if (taken.contains(key)) {
                continue;
            }
            if (!held.add(key)) {
                taken.forEach(held::remove);
                throw new AimException(Status.Code.ABORTED, RimpErrorReason.DESTINATION_BUSY,
                        key + " is being written by another call right now; retry when it has finished",
                        Map.of("path", key.toString()), null);
            }
            taken.add(key);
        }
        return new Held(List.copyOf(taken));
    }
}
