package com.abiquo.aim.libvirt.connection;

import java.lang.reflect.Field;
import org.libvirt.Domain;
import org.libvirt.DomainInfo;
import org.libvirt.LibvirtException;
import org.libvirt.jna.DomainPointer;
import org.libvirt.jna.Libvirt;
import org.libvirt.jna.virDomainInfo;

/**
 * A domain's virDomainGetInfo with its true virDomainState. libvirt-java 0.5.2 has no virDomainGetState, and its
 * {@code Domain.getInfo()} indexes its 7-value {@code DomainInfo.DomainState} enum with the raw number: for a
 * PM-suspended domain (7) it throws ArrayIndexOutOfBoundsException (measured with a guest suspended to RAM,
 * PmSuspendDomainTest). Then the info is read again through JNA, where the state is a plain int.
 */
public final class DomainStateReader {
    private static final Field POINTER = pointerField();

    /** virDomainGetInfo's answer; memory in KiB as libvirt gives it, CPU time in nanoseconds. */
    public record Reading(int state, long maxMemoryKib, long memoryKib, int vcpus, long cpuTimeNanos) {
    }

    private DomainStateReader() {
    }

    public static int state(Domain domain) throws LibvirtException {
        return read(domain).state();
    }

    public static Reading read(Domain domain) throws LibvirtException {
        try {
            return reading(domain.getInfo());
        } catch (ArrayIndexOutOfBoundsException beyondTheEnum) {
            virDomainInfo raw = rawInfo(domain);
            if (raw != null) {
                return new Reading(raw.state, raw.maxMem.longValue(), raw.memory.longValue(), raw.nrVirtCpu,
                        raw.cpuTime);
            }
            // The raw read failed (the domain may be gone since): libvirt-java reports libvirt's error again.
            try {
                return reading(domain.getInfo());
            } catch (ArrayIndexOutOfBoundsException again) {
                throw new IllegalStateException("libvirt-java cannot read the state of domain "
                        + domain.getName() + " and the direct read failed", again);
            }
        }
    }

    private static Reading reading(DomainInfo info) {
        return new Reading(info.state.ordinal(), info.maxMem, info.memory, info.nrVirtCpu, info.cpuTime);
    }

    private static virDomainInfo rawInfo(Domain domain) {
        if (POINTER == null) {
            return null;
        }
        try {
            virDomainInfo raw = new virDomainInfo();
            return Libvirt.INSTANCE.virDomainGetInfo((DomainPointer) POINTER.get(domain), raw) == 0 ? raw : null;
        } catch (IllegalAccessException | RuntimeException unreadable) {
            return null;
        }
    }

    private static Field pointerField() {
        try {
            Field field = Domain.class.getDeclaredField("vdp");
            field.setAccessible(true);
            return field;
        } catch (ReflectiveOperationException | RuntimeException absent) {
            return null;
        }
    }
}
