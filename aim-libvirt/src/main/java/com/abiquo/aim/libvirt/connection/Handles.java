package com.abiquo.aim.libvirt.connection;

import com.abiquo.aim.core.error.AimException;
import org.libvirt.Domain;
import org.libvirt.LibvirtException;
import org.libvirt.Secret;
import org.libvirt.StoragePool;
import org.libvirt.StorageVol;

/**
 * Releasing libvirt-java handles as soon as they are done with, instead of leaving it to their finalizers.
 * libvirt-java's {@code free()} clears the handle's pointer, so the finalizer that runs later frees nothing twice.
 *
 * <p>{@code vir*Free} resets the thread's last libvirt error. When the work with a handle fails in libvirt, its true
 * error is {@link LibvirtErrors#capture captured} onto the exception before the handle is freed, so
 * {@link LibvirtConnection#call} still maps the failure from libvirt's true code.
 */
public final class Handles {
    private Handles() {
    }

    /** Work done with one handle. */
    @FunctionalInterface
    public interface HandleWork<H, T> {
        T apply(H handle) throws LibvirtException, AimException;
    }

    /** libvirt-java's free() of one kind of handle. */
    @FunctionalInterface
    private interface Free<H> {
        void free(H handle) throws LibvirtException;
    }

    public static <T> T using(StoragePool pool, HandleWork<StoragePool, T> work) throws LibvirtException, AimException {
        return using(pool, work, StoragePool::free);
    }

    public static <T> T using(StorageVol volume, HandleWork<StorageVol, T> work) throws LibvirtException, AimException {
        return using(volume, work, StorageVol::free);
    }

    public static <T> T using(Domain domain, HandleWork<Domain, T> work) throws LibvirtException, AimException {
        return using(domain, work, Domain::free);
    }

    public static <T> T using(Secret secret, HandleWork<Secret, T> work) throws LibvirtException, AimException {
        return using(secret, work, Secret::free);
    }

    private static <H, T> T using(H handle, HandleWork<H, T> work, Free<H> free)
            throws LibvirtException, AimException {
        try {
            return work.apply(handle);
        } catch (LibvirtException failure) {
            throw LibvirtErrors.capture(failure);   // before the free() below resets the thread's last error
        } finally {
            freeQuietly(handle, free);
        }
    }

    /**
     * Frees a domain handle. A failure to free must not replace the failure of the work done with the handle: it is
     * ignored, and the handle's finalizer tries again.
     */
    public static void free(Domain domain) {
        freeQuietly(domain, Domain::free);
    }

    public static void free(Secret secret) {
        freeQuietly(secret, Secret::free);
    }

    /** A failure to free is ignored (it must not replace the outcome of the work); the finalizer tries again. */
    private static <H> void freeQuietly(H handle, Free<H> free) {
        try {
            free.free(handle);
        } catch (LibvirtException | RuntimeException ignored) {
            // the finalizer tries again
        }
    }
}
