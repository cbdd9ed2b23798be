package com.abiquo.aim.core.error;

/**
 * The reasons several services share (path confinement, validation, commands, the server's interceptors). Each is
 * documented, with its gRPC code and what a client should do, in {@code CommonErrorReason} (common.proto).
 */
public enum CoreErrorReason implements ErrorReason {
    AGENT_STOPPING,
    COMMAND_INTERRUPTED,
    COMMAND_NOT_AVAILABLE,
    COMMAND_OUTPUT_UNREADABLE,
    COMMAND_TIMEOUT,
    INITIATOR_NAME_FILE_MISSING,
    INITIATOR_NAME_FILE_UNREADABLE,
    INITIATOR_NAME_INVALID,
    INITIATOR_NAME_MISSING,
    INVALID_IQN,
    INVALID_NAME,
    INVALID_PATH,
    INVALID_PORTAL,
    LIBVIRT_NOT_AVAILABLE,
    NAME_TOO_LONG,
    PATH_OUTSIDE_ROOT,
    PATH_TOO_LONG,
    PORTAL_UNREACHABLE,
    ;
}
