package com.abiquo.aim.libvirt.pool;

import static java.util.Objects.requireNonNull;

import com.abiquo.aim.core.error.AimException;
import com.abiquo.aim.core.error.CoreErrorReason;
import com.abiquo.aim.libvirt.connection.LibvirtAccess;
import io.grpc.Status;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.function.Consumer;
import java.util.function.Supplier;

/**
 * libvirt calls of the storage pools, each bound by the call's time ({@code [storage] commandTimeoutSeconds}) on the
 * {@link StorageBulkhead}'s threads. The libvirt connection is asked for at every call (tests hand pools a connection
 * that comes and goes); calls on a connection that is down answer UNAVAILABLE.
 */
final class LibvirtCalls {
    private final Supplier<Optional<LibvirtAccess>> libvirt;
    private final Duration timeout;
    private final StorageBulkhead bulkhead;
    /** Told of every connection a call gets (it starts the sweep of probe leftovers once libvirt is there). */
    private final Consumer<LibvirtAccess> onAccess;

    LibvirtCalls(Supplier<Optional<LibvirtAccess>> libvirt, Duration timeout, StorageBulkhead bulkhead,
                 Consumer<LibvirtAccess> onAccess) {
        this.libvirt = requireNonNull(libvirt, "libvirt is null");
        this.timeout = requireNonNull(timeout, "timeout is null");
        this.bulkhead = requireNonNull(bulkhead, "bulkhead is null");
        this.onAccess = requireNonNull(onAccess, "onAccess is null");
    }

    /** The time a call may take: {@code [storage] commandTimeoutSeconds}. */
    Duration timeout() {
        return timeout;
    }

    /** A libvirt call that reads or works on volumes; libvirt itself guards a pool against changes meanwhile. */
    <T> T call(String what, LibvirtAccess.LibvirtCall<T> work) throws AimException {
        LibvirtAccess access = access(what);
        return bulkhead.run(what, timeout, () -> access.call(work));
    }

    /** A libvirt call that writes a volume (create, delete, resize): an action, which reads never wait behind. */
    <T> T act(String what, LibvirtAccess.LibvirtCall<T> work) throws AimException {
        LibvirtAccess access = access(what);
        return bulkhead.run(what, timeout, () -> access.act(what, work));
    }

    /**
     * A call that creates, starts, refreshes or deletes a pool: serialized with every other such call on the same
     * pool, so that nothing (a clean-up above all) runs beside a call that timed out but goes on in libvirt. An
     * action (an iSCSI login can take seconds): reads never wait behind it.
     */
    <T> T callOnPool(String pool, String what, LibvirtAccess.LibvirtCall<T> work) throws AimException {
        LibvirtAccess access = access(what);
        return bulkhead.run(what, Optional.of(pool), timeout, () -> access.act(what, work));
    }

    /** Clean-up in the pool's lane, after what is already there; never dropped, failures logged. An action. */
    void finishOnPool(String pool, String what, Duration wait, LibvirtAccess.LibvirtCall<?> work) {
        bulkhead.finish(what, pool, wait, () -> access(what).act(what, work));
    }

    private LibvirtAccess access(String what) throws AimException {
        LibvirtAccess access = libvirt.get().orElseThrow(() -> new AimException(Status.Code.UNAVAILABLE,
                CoreErrorReason.LIBVIRT_NOT_AVAILABLE, what + ": the libvirt connection is not available (is aim-libvirt loaded"
                + " and libvirtd running?)", Map.of(), null));
        onAccess.accept(access);
        return access;
    }
}
