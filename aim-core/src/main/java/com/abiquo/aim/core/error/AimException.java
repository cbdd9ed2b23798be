package com.abiquo.aim.core.error;

import static java.util.Objects.requireNonNull;

import io.grpc.Status;
import java.util.Map;

/**
 * The one failure type of AIM's domain logic. It carries what the client needs: a gRPC status code chosen by the
 * code that understands the failure, a stable reason for {@code google.rpc.ErrorInfo} (an {@link ErrorReason}, listed
 * in the protos), a message an operator understands (what, which path/domain/interface, why) and optional metadata (e.g. libvirt's code).
 */
public class AimException extends Exception {
    private final Status.Code code;
    private final ErrorReason reason;
    private final Map<String, String> metadata;

    public AimException(Status.Code code, ErrorReason reason, String message) {
        this(code, reason, message, Map.of(), null);
    }

    public AimException(Status.Code code, ErrorReason reason, String message, Map<String, String> metadata,
            Throwable cause) {
        super(requireNonNull(message, "message is null"), cause);
        this.code = requireNonNull(code, "code is null");
        this.reason = requireNonNull(reason, "reason is null");
        this.metadata = Map.copyOf(metadata);
    }

    public Status.Code code() {
        return code;
    }

    public ErrorReason reason() {
        return reason;
    }

    public Map<String, String> metadata() {
        return metadata;
    }

    public static AimException invalidArgument(ErrorReason reason, String message) {
        return new AimException(Status.Code.INVALID_ARGUMENT, reason, message);
    }

    public static AimException notFound(ErrorReason reason, String message) {
        return new AimException(Status.Code.NOT_FOUND, reason, message);
    }

    public static AimException failedPrecondition(ErrorReason reason, String message) {
        return new AimException(Status.Code.FAILED_PRECONDITION, reason, message);
    }

    public static AimException unavailable(ErrorReason reason, String message) {
        return new AimException(Status.Code.UNAVAILABLE, reason, message);
    }

    public static AimException internal(ErrorReason reason, String message, Throwable cause) {
        return new AimException(Status.Code.INTERNAL, reason, message, Map.of(), cause);
    }
}
