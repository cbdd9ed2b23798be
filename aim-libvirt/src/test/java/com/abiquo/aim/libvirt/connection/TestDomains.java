package com.abiquo.aim.libvirt.connection;

import com.abiquo.aim.core.error.AimException;

/** Clean-up of the domains tests make on a real libvirtd. */
public final class TestDomains {
    private TestDomains() {
    }

    /** Destroys the domain if it runs and undefines it; a domain the test already removed (or never made) is fine. */
    public static void remove(LibvirtConnection connection, String name) {
        try {
            connection.call(c -> {
                var domain = c.domainLookupByName(name);
                try {
                    if (domain.isActive() == 1) {
                        domain.destroy();
                    }
                    domain.undefine();
                } finally {
                    domain.free();
                }
                return null;
            });
        } catch (AimException gone) {
            // removed by the test, or never made
        }
    }
}
