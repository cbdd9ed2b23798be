package com.abiquo.aim.client;

import static java.util.Objects.requireNonNull;

import com.google.protobuf.Any;
import com.google.protobuf.InvalidProtocolBufferException;
import com.google.rpc.ErrorInfo;
import io.grpc.Status;
import io.grpc.StatusException;
import io.grpc.StatusRuntimeException;
import io.grpc.protobuf.StatusProto;
import java.util.Map;
import java.util.OptionalLong;

/**
 * A failed call to AIM, as a caller acts on it: the gRPC code, AIM's reason as a value to switch on
 * ({@link #reason()}; the text is kept in {@link #reasonName()}, also for a reason this client does not know), the
 * agent's message and the ErrorInfo metadata.
 */
public final class AimClientException extends RuntimeException {
    private static final long serialVersionUID = 1L;
    /** The ErrorInfo domain of AIM's own failures. */
    public static final String ERROR_DOMAIN = "aim.abiquo.com";

    private final Status.Code code;
    private final String reasonName;
    private final transient AimErrorReason reason;
    private final Map<String, String> metadata;

    public AimClientException(Status.Code code, String reasonName, String message, Map<String, String> metadata,
            Throwable cause) {
        super(requireNonNull(message, "message is null"), cause);
        this.code = requireNonNull(code, "code is null");
        this.reasonName = requireNonNull(reasonName, "reasonName is null");
        this.reason = AimErrorReason.of(reasonName);
        this.metadata = Map.copyOf(metadata);
    }

    /** The client-side form of any failure of a call: a status exception as AIM sent it, anything else UNKNOWN. */
    public static AimClientException from(Throwable failure) {
        if (failure instanceof AimClientException already) {
            return already;
        }
        if (failure instanceof StatusRuntimeException || failure instanceof StatusException) {
            Status status = Status.fromThrowable(failure);
            ErrorInfo info = errorInfo(failure);
            String message = status.getDescription() != null ? status.getDescription()
                    : status.getCause() != null ? String.valueOf(status.getCause().getMessage())
                    : status.getCode().name();
            return new AimClientException(status.getCode(), info.getReason(), message, info.getMetadataMap(),
                    failure);
        }
        return new AimClientException(Status.Code.UNKNOWN, "", String.valueOf(failure), Map.of(), failure);
    }

    private static ErrorInfo errorInfo(Throwable failure) {
        com.google.rpc.Status details = StatusProto.fromThrowable(failure);
        if (details != null) {
            for (Any detail : details.getDetailsList()) {
                if (detail.is(ErrorInfo.class)) {
                    try {
                        return detail.unpack(ErrorInfo.class);
                    } catch (InvalidProtocolBufferException malformed) {
                        break;
                    }
                }
            }
        }
        return ErrorInfo.getDefaultInstance();
    }

    public Status.Code code() {
        return code;
    }

    /** AIM's reason as a value; UNRECOGNIZED for one this client does not know, NONE when there was none. */
    public AimErrorReason reason() {
        return reason;
    }

    /** The reason's text exactly as the agent sent it ("" when there was none). */
    public String reasonName() {
        return reasonName;
    }

    public Map<String, String> metadata() {
        return metadata;
    }

    /** The {@code resume_after_sequence} an ended event stream names, when it names one. */
    public OptionalLong resumeAfterSequence() {
        String value = metadata.get("resume_after_sequence");
        if (value == null) {
            return OptionalLong.empty();
        }
        try {
            return OptionalLong.of(Long.parseUnsignedLong(value));
        } catch (NumberFormatException malformed) {
            return OptionalLong.empty();
        }
    }

    /** "CODE REASON: message", what an operator reads. */
    @Override
    public String toString() {
        return code + (reasonName.isEmpty() ? "" : " " + reasonName) + ": " + getMessage();
    }
}
