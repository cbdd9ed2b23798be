package com.abiquo.aim.core.error;

/**
 * A reason AIM puts in a failure's {@code google.rpc.ErrorInfo}: the only type {@link AimException} accepts, so no
 * free-form string reaches a client. Each module keeps its reasons in one enum implementing this interface (Airlift's
 * error-code enums are the model); {@link CoreErrorReason} holds those several services share.
 *
 * <p>The protos are the catalogue: every reason is a value of a documented {@code ...ErrorReason} enum in
 * {@code aim-proto} (package {@code abiquo.aim.v1}) whose value name is the reason string, and
 * {@code ErrorReasonCatalogueTest} (aim-server) fails when a constant is missing there. A reason raised by one
 * service lives in that service's proto enum, one raised by several in {@code CommonErrorReason} (common.proto):
 * protobuf scopes enum value names to the package, so each reason is defined exactly once.
 */
public interface ErrorReason {
    /** The reason as it travels in {@code ErrorInfo.reason}, UPPER_SNAKE_CASE. */
    String name();
}
