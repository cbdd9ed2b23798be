package com.abiquo.aim.core.error;

import com.google.protobuf.Any;
import com.google.rpc.ErrorInfo;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.protobuf.StatusProto;
import java.nio.charset.StandardCharsets;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.Logger;

/**
 * Turns failures into what a gRPC client receives: the status code, the message and a
 * {@code google.rpc.ErrorInfo} (reason, domain "aim.abiquo.com", metadata). Unexpected exceptions become INTERNAL
 * with a generic message; their stack trace goes to the log, never to the client.
 *
 * <p>The status travels in HTTP/2 trailers, twice (grpc-message, percent-encoded, and grpc-status-details-bin, in
 * base64), and clients refuse trailers over 8 KiB (grpc-java and grpc-go's default): a message that echoes a
 * client's 70000-character value reached the client as INTERNAL "http2 exception". So the message is cut to
 * {@link #MAX_MESSAGE_BYTES} and each metadata value to {@link #MAX_METADATA_VALUE_BYTES}, by whole code points.
 */
public final class GrpcErrors {
    public static final String ERROR_DOMAIN = "aim.abiquo.com";
    /** At most 3 x 1500 bytes percent-encoded plus 4/3 x 1500 in base64: well inside 8 KiB of trailers. */
    static final int MAX_MESSAGE_BYTES = 1500;
    static final int MAX_METADATA_VALUE_BYTES = 256;
    private static final Logger LOG = LogManager.getLogger(GrpcErrors.class);

    private GrpcErrors() {
    }

    public static StatusRuntimeException toStatusException(Throwable failure) {
        if (failure instanceof StatusRuntimeException statusException) {
            return statusException;
        }
        if (failure instanceof AimException aim) {
            return toStatusException(aim);
        }
        LOG.error("Unexpected failure while serving a call", failure);
        return Status.INTERNAL.withDescription("internal error in the agent: " + failure.getClass().getSimpleName()
                + " (details in the node's log)").asRuntimeException();
    }

    public static StatusRuntimeException toStatusException(AimException failure) {
        ErrorInfo.Builder info = ErrorInfo.newBuilder()
                .setReason(failure.reason().name())
                .setDomain(ERROR_DOMAIN);
        failure.metadata().forEach((key, value) -> info.putMetadata(key, bounded(value, MAX_METADATA_VALUE_BYTES)));
        com.google.rpc.Status status = com.google.rpc.Status.newBuilder()
                .setCode(failure.code().value())
                .setMessage(bounded(failure.getMessage(), MAX_MESSAGE_BYTES))
                .addDetails(Any.pack(info.build()))
                .build();
        if (failure.code() == Status.Code.INTERNAL && failure.getCause() != null) {
            LOG.error("Internal failure: {}", failure.getMessage(), failure.getCause());
        }
        return StatusProto.toStatusRuntimeException(status);
    }

    /** The text cut to at most {@code maxBytes} in UTF-8 (whole code points), saying how much was left out. */
    static String bounded(String text, int maxBytes) {
        if (text.length() * 3 <= maxBytes || text.getBytes(StandardCharsets.UTF_8).length <= maxBytes) {
            return text;
        }
        int budget = maxBytes - 40; // room for the note
        StringBuilder kept = new StringBuilder();
        int bytes = 0;
        int index = 0;
        while (index < text.length()) {
            int codePoint = text.codePointAt(index);
            int size = new String(Character.toChars(codePoint)).getBytes(StandardCharsets.UTF_8).length;
            if (bytes + size > budget) {
                break;
            }
            kept.appendCodePoint(codePoint);
            bytes += size;
            index += Character.charCount(codePoint);
        }
        return kept + "...(" + (text.length() - index) + " more characters)";
    }
}
