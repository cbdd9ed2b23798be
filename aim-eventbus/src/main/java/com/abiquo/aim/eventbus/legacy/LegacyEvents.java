package com.abiquo.aim.eventbus.legacy;

import com.abiquo.aim.v1.DomainEvent;
import java.util.Optional;

/**
 * AIM 2.x's event names, mapped as the original did over libvirt's event type and detail: DEFINED -> CREATED,
 * UNDEFINED -> DESTROYED, STARTED -> POWER_ON, SUSPENDED -> PAUSED, RESUMED -> RESUMED, STOPPED/SAVED -> SAVED, any
 * other STOPPED -> POWER_OFF. SHUTDOWN, PMSUSPENDED and CRASHED were not published and are not.
 *
 * <p>Resync events (no libvirt event; AIM derived them after a libvirt reconnection, which the original never did)
 * are named by their kind, so a controller also learns what changed while libvirtd was away.
 */
public final class LegacyEvents {
    public static final String MOVED = "MOVED";
    public static final String POWER_ON = "POWER_ON";
    public static final String RESUMED = "RESUMED";

    private static final int DEFINED = 0;
    private static final int UNDEFINED = 1;
    private static final int STARTED = 2;
    private static final int SUSPENDED = 3;
    private static final int EVENT_RESUMED = 4;
    private static final int STOPPED = 5;
    private static final int STOPPED_SAVED = 4;

    private LegacyEvents() {
    }

    /** @return the AIM 2.x name, empty for an event the original did not publish */
    public static Optional<String> name(DomainEvent event) {
        if (event.getResync()) {
            return switch (event.getKind()) {
                case DOMAIN_EVENT_KIND_CREATED -> Optional.of("CREATED");
                case DOMAIN_EVENT_KIND_DESTROYED -> Optional.of("DESTROYED");
                case DOMAIN_EVENT_KIND_POWERED_ON -> Optional.of(POWER_ON);
                case DOMAIN_EVENT_KIND_POWERED_OFF -> Optional.of("POWER_OFF");
                case DOMAIN_EVENT_KIND_PAUSED -> Optional.of("PAUSED");
                case DOMAIN_EVENT_KIND_RESUMED -> Optional.of(RESUMED);
                case DOMAIN_EVENT_KIND_SAVED -> Optional.of("SAVED");
                default -> Optional.empty();
            };
        }
        return switch (event.getLibvirtEventType()) {
            case DEFINED -> Optional.of("CREATED");
            case UNDEFINED -> Optional.of("DESTROYED");
            case STARTED -> Optional.of(POWER_ON);
            case SUSPENDED -> Optional.of("PAUSED");
            case EVENT_RESUMED -> Optional.of(RESUMED);
            case STOPPED -> Optional.of(event.getLibvirtEventDetail() == STOPPED_SAVED ? "SAVED" : "POWER_OFF");
            default -> Optional.empty();
        };
    }
}
