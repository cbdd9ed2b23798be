package com.abiquo.aim.libvirt.domain;

import com.abiquo.aim.libvirt.connection.LibvirtErrors;
import org.libvirt.Domain;
import org.libvirt.LibvirtException;

/**
 * What an undefine did.
 *
 * @param found whether there was a persistent definition to remove (false: nothing was done)
 * @param stillRunning whether the domain runs on, as a transient domain
 */
public record Undefined(boolean found, boolean stillRunning) {
    // virDomainUndefineFlagsValues
    private static final int UNDEFINE_MANAGED_SAVE = 1;
    private static final int UNDEFINE_SNAPSHOTS_METADATA = 2;
    private static final int UNDEFINE_NVRAM = 4;
    private static final int UNDEFINE_CHECKPOINTS_METADATA = 16;

    /** Undefines a domain that exists, with its managed-save image, snapshot and checkpoint metadata and NVRAM. */
    static Undefined undefine(Domain domain) throws LibvirtException {
        boolean running = domain.isActive() == 1;
        if (domain.isPersistent() != 1) {
            return new Undefined(false, running);
        }
        int[] attempts = {
            UNDEFINE_MANAGED_SAVE | UNDEFINE_SNAPSHOTS_METADATA | UNDEFINE_NVRAM | UNDEFINE_CHECKPOINTS_METADATA,
            UNDEFINE_MANAGED_SAVE | UNDEFINE_SNAPSHOTS_METADATA | UNDEFINE_NVRAM,
            UNDEFINE_MANAGED_SAVE | UNDEFINE_SNAPSHOTS_METADATA,
        };
        for (int i = 0; ; i++) {
            try {
                domain.undefine(attempts[i]);
                return new Undefined(true, running);
            } catch (LibvirtException refused) {
                // Older drivers (and the test driver) refuse flags they do not know: retry with fewer.
                int code = LibvirtErrors.trueError(refused).code();
                boolean unknownFlags = code == LibvirtErrors.INVALID_ARG || code == LibvirtErrors.NO_SUPPORT
                        || code == 74 /* ARGUMENT_UNSUPPORTED */;
                if (!unknownFlags || i == attempts.length - 1) {
                    throw refused;
                }
            }
        }
    }
}
