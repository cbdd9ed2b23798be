package com.abiquo.aim.libvirt.connection;

import java.lang.reflect.Field;
import org.libvirt.Domain;
import org.libvirt.DomainInfo;
import org.libvirt.LibvirtException;
import org.libvirt.jna.DomainPointer;
import org.libvirt.jna.Libvirt;
import org.libvirt.jna.virDomainInfo;

/**
 * A domain's true virDomainState. libvirt-java 0.5.2 has no virDomainGetState, and its {@code DomainInfo.DomainState}
 * enum stops at CRASHED (6), so PMSUSPENDED (7) reads as CRASHED. When that value comes back, the raw number is read
 * again through JNA.
 */
public final class DomainStateReader {
    private static final Field POINTER = pointerField();

    private DomainStateReader() {
    }

    /** Reads the domain's info once; {@code info.state} may be clamped, use {@link #state(Domain, DomainInfo)}. */
    public static int state(Domain domain) throws LibvirtException {
        return state(domain, domain.getInfo());
    }

    public static int state(Domain domain, DomainInfo info) {
        int state = info.state.ordinal();
        if (state != DomainStates.CRASHED || POINTER == null) {
            return state;
        }
        try {
            virDomainInfo raw = new virDomainInfo();
            if (Libvirt.INSTANCE.virDomainGetInfo((DomainPointer) POINTER.get(domain), raw) == 0) {
                return raw.state;
            }
        } catch (IllegalAccessException | RuntimeException unreadable) {
            // keep what libvirt-java said
        }
        return state;
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
