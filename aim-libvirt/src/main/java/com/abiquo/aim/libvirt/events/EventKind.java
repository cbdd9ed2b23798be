package com.abiquo.aim.libvirt.events;

/** AIM's name of a lifecycle event (the original AIM's names); mirrors DomainEventKind of events.proto. */
public enum EventKind {
    CREATED,
    DESTROYED,
    POWERED_ON,
    POWERED_OFF,
    PAUSED,
    RESUMED,
    SAVED,
    SHUTTING_DOWN,
    CRASHED,
    PMSUSPENDED,
    UNKNOWN
}
