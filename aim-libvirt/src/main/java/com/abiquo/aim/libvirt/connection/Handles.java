package com.abiquo.aim.libvirt.connection;

import org.libvirt.Domain;
import org.libvirt.LibvirtException;

/** Releasing libvirt-java handles as soon as they are done with, instead of leaving it to their finalizers. */
public final class Handles {
    private Handles() {
    }

    /**
     * Frees a domain handle. A failure to free must not replace the failure of the work done with the handle: it is
     * ignored, and the handle's finalizer tries again.
     */
    public static void free(Domain domain) {
        try {
            domain.free();
        } catch (LibvirtException | RuntimeException ignored) {
            // the finalizer tries again
        }
    }
}
