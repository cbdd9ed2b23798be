package com.abiquo.aim.core.error;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.rpc.ErrorInfo;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.protobuf.StatusProto;
import io.grpc.stub.StreamObserver;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class GrpcErrorsTest {
    @Test
    void anAimExceptionKeepsItsCodeMessageAndCarriesErrorInfo() throws Exception {
        StatusRuntimeException status = GrpcErrors.toStatusException(new AimException(Status.Code.NOT_FOUND,
                CoreErrorReason.PATH_OUTSIDE_ROOT, "no domain with uuid 42", Map.of("uuid", "42"), null));
        assertEquals(Status.Code.NOT_FOUND, status.getStatus().getCode());
        assertEquals("no domain with uuid 42", status.getStatus().getDescription());
        com.google.rpc.Status detail = StatusProto.fromThrowable(status);
        ErrorInfo info = detail.getDetails(0).unpack(ErrorInfo.class);
        assertEquals("PATH_OUTSIDE_ROOT", info.getReason());
        assertEquals(GrpcErrors.ERROR_DOMAIN, info.getDomain());
        assertEquals("42", info.getMetadataOrThrow("uuid"));
    }

    /** A message echoing a huge client value must still fit in the client's 8 KiB of trailers. */
    @Test
    void longMessagesAndMetadataAreCutByWholeCodePoints() throws Exception {
        String huge = "\u00e9\ud83d\ude00x".repeat(20_000);
        StatusRuntimeException status = GrpcErrors.toStatusException(new AimException(Status.Code.INVALID_ARGUMENT,
                CoreErrorReason.INVALID_PATH, "path \"" + huge + "\" is wrong", Map.of("field", huge), null));
        String message = status.getStatus().getDescription();
        assertTrue(message.getBytes(StandardCharsets.UTF_8).length <= GrpcErrors.MAX_MESSAGE_BYTES, message);
        assertTrue(message.startsWith("path \"\u00e9\ud83d\ude00x"), message);
        assertTrue(message.endsWith(" more characters)"), message);
        assertFalse(Character.isHighSurrogate(message.charAt(message.indexOf("...(") - 1)), "no split pair");
        ErrorInfo info = StatusProto.fromThrowable(status).getDetails(0).unpack(ErrorInfo.class);
        assertTrue(info.getMetadataOrThrow("field").getBytes(StandardCharsets.UTF_8).length
                <= GrpcErrors.MAX_METADATA_VALUE_BYTES);
        assertEquals("short", GrpcErrors.bounded("short", 10));
    }

    @Test
    void anUnexpectedExceptionIsInternalWithoutItsDetails() {
        StatusRuntimeException status = GrpcErrors.toStatusException(
                new NullPointerException("secret /etc/shadow detail"));
        assertEquals(Status.Code.INTERNAL, status.getStatus().getCode());
        assertFalse(status.getStatus().getDescription().contains("shadow"));
    }

    @Test
    void aStatusExceptionPassesThrough() {
        StatusRuntimeException original = Status.UNAVAILABLE.withDescription("down").asRuntimeException();
        assertSame(original, GrpcErrors.toStatusException(original));
    }

    @Test
    void unaryAnswersOnceOrFailsOnce() {
        List<String> events = new ArrayList<>();
        StreamObserver<String> observer = new StreamObserver<>() {
            @Override
            public void onNext(String value) {
                events.add("next " + value);
            }

            @Override
            public void onError(Throwable failure) {
                events.add("error " + Status.fromThrowable(failure).getCode());
            }

            @Override
            public void onCompleted() {
                events.add("completed");
            }
        };
        GrpcCalls.unary(observer, () -> "ok");
        GrpcCalls.unary(observer, () -> {
            throw AimException.invalidArgument(CoreErrorReason.INVALID_NAME, "bad");
        });
        assertEquals(List.of("next ok", "completed", "error INVALID_ARGUMENT"), events);
    }
}
