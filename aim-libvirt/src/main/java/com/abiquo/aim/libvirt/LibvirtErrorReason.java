package com.abiquo.aim.libvirt;

import com.abiquo.aim.core.error.ErrorReason;

/**
 * The reasons aim-libvirt (the Libvirt and EventsMonitor services) raises in a failure's {@code google.rpc.ErrorInfo}.
 * Each is documented, with its gRPC code and what a client should do, in the protos (LibvirtErrorReason in
 * libvirt.proto, EventsErrorReason in events.proto); ErrorReasonCatalogueTest checks that every constant is listed
 * there.
 */
public enum LibvirtErrorReason implements ErrorReason {
    ALLOCATION_OVER_CAPACITY,
    CHAP_SECRET_REQUIRED,
    CHAP_USERNAME_REQUIRED,
    DISK_EMPTY,
    DISK_FORMAT_INVALID,
    DISK_INVALID,
    DISK_NOT_FOUND,
    DISK_SHRINK_REFUSED,
    DOMAIN_MISSING,
    DOMAIN_NAME_EMPTY,
    DOMAIN_NAME_INVALID,
    DOMAIN_NAME_MISSING,
    DOMAIN_NAME_TOO_LONG,
    DOMAIN_NOT_FOUND,
    DOMAIN_NOT_PMSUSPENDED,
    DOMAIN_NOT_RUNNING,
    DOMAIN_UUID_EMPTY,
    DOMAIN_UUID_INVALID,
    EVENT_SEND_FAILED,
    EVENT_SOURCE_MISSING,
    FIELD_REQUIRED,
    INVALID_EVENT_REQUEST,
    JOURNAL_POINT_GONE,
    LIBVIRT_NOT_CONNECTED,
    LIBVIRT_UNREACHABLE,
    MALFORMED_XML,
    NOT_A_DOMAIN_XML,
    POOL_NAME_EMPTY,
    POOL_NAME_INVALID,
    PORT_INVALID,
    SEQUENCE_NOT_ISSUED,
    SHUTDOWN_INTERRUPTED,
    SHUTDOWN_TIMEOUT_INVALID,
    SINCE_INVALID,
    SNAPSHOTS_NOT_READ,
    STORAGE_NOT_AVAILABLE,
    SUBSCRIBER_TOO_SLOW,
    SUBSCRIPTION_DOMAIN_LIMIT,
    SUBSCRIPTION_NOT_FOUND,
    SUBSCRIPTION_WATCHES_ALL_DOMAINS,
    VOLUME_IN_USE,
    VOLUME_NAME_EMPTY,
    VOLUME_NAME_INVALID,
    XML_EMPTY,
    XML_PARSER,
    XML_TOO_LARGE,
    ;
}
