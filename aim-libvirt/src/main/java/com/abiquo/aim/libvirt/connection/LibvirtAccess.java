package com.abiquo.aim.libvirt.connection;

import com.abiquo.aim.core.error.AimException;
import org.libvirt.Connect;
import org.libvirt.LibvirtException;

/**
 * The node's one long-lived libvirt connection as aim-libvirt's own code uses it (the storage pools above all). It
 * exposes libvirt-java's {@code Connect} on purpose: wrapping every libvirt call in our own types would double the
 * code for no safety, and libvirt error mapping (true error codes, {@link LibvirtErrors}) still happens in one place,
 * {@link #call}. It stays inside aim-libvirt: other modules get plain-Java interfaces from aim-core (docs/architecture.md).
 */
public interface LibvirtAccess {
    /** A piece of work against the live connection. Must not keep the Connect beyond the call. */
    @FunctionalInterface
    interface LibvirtCall<T> {
        T apply(Connect connect) throws LibvirtException, AimException;
    }

    /**
     * Runs the call on the live connection.
     *
     * @throws AimException UNAVAILABLE while libvirtd is unreachable; otherwise the status mapped from libvirt's true
     *     error code (NOT_FOUND for no such domain/pool/volume, INVALID_ARGUMENT for bad XML, ...), with libvirt's
     *     code and message in the metadata
     */
    <T> T call(LibvirtCall<T> call) throws AimException;

    /**
     * Runs an action that can take seconds (a pool's define, build, start, refresh or delete, a volume's create,
     * delete or resize) like {@link #call}, but where reads never wait behind it: LibvirtConnection runs it on its
     * actions connection (docs/libvirt.md, "The connection"). The default, for an access with one connection, is
     * {@link #call}.
     *
     * @param what what is being done, for error messages
     */
    default <T> T act(String what, LibvirtCall<T> call) throws AimException {
        return call(call);
    }

    /** Whether the connection is up right now. */
    boolean connected();

    /** The libvirt URI ([monitor] uri), with any user information masked. */
    String uri();
}
