package com.abiquo.aim.libvirt.connection;

import java.lang.reflect.Field;
import org.libvirt.event.DomainEvent;

/** libvirt's raw lifecycle event detail; libvirt-java's detail enums lack newer values and clamp them to UNKNOWN. */
final class EventDetails {
    private static final Field EVENT_DETAIL = detailField();

    private EventDetails() {
    }

    static int rawDetail(DomainEvent event) {
        if (EVENT_DETAIL != null) {
            try {
                return EVENT_DETAIL.getInt(event);
            } catch (IllegalAccessException unexpected) {
                // fall through to the enum
            }
        }
        Enum<?> detail = event.getDetail();
        return detail == null ? 0 : detail.ordinal();
    }

    private static Field detailField() {
        try {
            Field field = DomainEvent.class.getDeclaredField("detail");
            field.setAccessible(true);
            return field;
        } catch (ReflectiveOperationException | RuntimeException absent) {
            return null;
        }
    }
}
