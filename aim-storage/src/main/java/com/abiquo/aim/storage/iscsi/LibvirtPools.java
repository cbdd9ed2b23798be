package com.abiquo.aim.storage.iscsi;

import static java.util.Objects.requireNonNull;

import com.abiquo.aim.core.error.AimException;
import com.abiquo.aim.core.error.CoreErrorReason;
import com.abiquo.aim.core.spi.StoragePoolOperations;
import io.grpc.Status;
import java.util.Map;
import java.util.Optional;
import java.util.function.Supplier;

/**
 * The node's libvirt storage pools, as aim-libvirt publishes them ({@link StoragePoolOperations} in the
 * ServiceRegistry), looked up at every call: aim-libvirt may be missing from the agent, and its pools then answer
 * UNAVAILABLE as a dead libvirtd does.
 */
public final class LibvirtPools {
    private final Supplier<Optional<StoragePoolOperations>> published;

    public LibvirtPools(Supplier<Optional<StoragePoolOperations>> published) {
        this.published = requireNonNull(published, "published is null");
    }

    /** @throws AimException UNAVAILABLE when no module publishes the pools */
    public StoragePoolOperations get() throws AimException {
        return published.get().orElseThrow(() -> new AimException(Status.Code.UNAVAILABLE, CoreErrorReason.LIBVIRT_NOT_AVAILABLE,
                "the libvirt storage pools are not available (is aim-libvirt loaded?)", Map.of(), null));
    }
}
