package com.abiquo.aim.server;

import com.abiquo.aim.core.error.ErrorReason;

/**
 * The reasons aim-server (its interceptors, for every service) raises in a failure's {@code google.rpc.ErrorInfo}. Each
 * is documented, with its gRPC code and what a client should do, in the protos (CommonErrorReason in common.proto);
 * ErrorReasonCatalogueTest checks that every constant is listed there.
 */
public enum ServerErrorReason implements ErrorReason {
    CLIENT_CERTIFICATE_REQUIRED,
    MALFORMED_REQUEST,
    MESSAGE_TOO_LARGE,
    METHOD_NOT_CLASSIFIED,
    ROLE_REQUIRED,
    TOO_MANY_CALLS,
    ;
}
