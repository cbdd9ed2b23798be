package com.abiquo.aim.storage.pool;

import com.abiquo.aim.core.error.AimException;
import org.libvirt.Domain;
import org.libvirt.LibvirtException;
import org.libvirt.Secret;
import org.libvirt.StoragePool;
import org.libvirt.StorageVol;

/**
 * Frees libvirt-java's pool, volume, domain and secret handles once they are done with, instead of leaving them to their
 * finalizers. libvirt-java's {@code free()} clears the handle's pointer, so the finalizer that runs later frees
 * nothing twice.
 *
 * <p>A handle whose work failed in libvirt is not freed here but left to its finalizer: {@code vir*Free} resets the
 * thread's last libvirt error, from which {@link com.abiquo.aim.core.spi.LibvirtAccess#call} reads the failure's true
 * code once the work has returned (this module cannot attach the error to the exception first: that is aim-libvirt's).
 */
final class LibvirtHandles {
    private LibvirtHandles() {
    }

    /** Work done with one handle. */
    @FunctionalInterface
    interface HandleWork<H, T> {
        T apply(H handle) throws LibvirtException, AimException;
    }

    /** libvirt-java's free() of one kind of handle. */
    @FunctionalInterface
    private interface Free<H> {
        void free(H handle) throws LibvirtException;
    }

    static <T> T using(StoragePool pool, HandleWork<StoragePool, T> work) throws LibvirtException, AimException {
        return using(pool, work, StoragePool::free);
    }

    static <T> T using(StorageVol volume, HandleWork<StorageVol, T> work) throws LibvirtException, AimException {
        return using(volume, work, StorageVol::free);
    }

    static <T> T using(Domain domain, HandleWork<Domain, T> work) throws LibvirtException, AimException {
        return using(domain, work, Domain::free);
    }

    static <T> T using(Secret secret, HandleWork<Secret, T> work) throws LibvirtException, AimException {
        return using(secret, work, Secret::free);
    }

    private static <H, T> T using(H handle, HandleWork<H, T> work, Free<H> free)
            throws LibvirtException, AimException {
        boolean libvirtFailed = false;
        try {
            return work.apply(handle);
        } catch (LibvirtException failure) {
            libvirtFailed = true;   // its true code is the thread's last libvirt error until a free() resets it
            throw failure;
        } finally {
            if (!libvirtFailed) {
                freeQuietly(handle, free);
            }
        }
    }

    static void free(Secret secret) {
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
