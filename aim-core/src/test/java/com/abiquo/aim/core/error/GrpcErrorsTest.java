package com.abiquo.aim.core.error;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;

import com.google.rpc.ErrorInfo;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.protobuf.StatusProto;
import io.grpc.stub.StreamObserver;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class GrpcErrorsTest {
    @Test
    void anAimExceptionKeepsItsCodeMessageAndCarriesErrorInfo() throws Exception {
        StatusRuntimeException status = GrpcErrors.toStatusException(new AimException(Status.Code.NOT_FOUND,
                "DOMAIN_NOT_FOUND", "no domain with uuid 42", Map.of("uuid", "42"), null));
        assertEquals(Status.Code.NOT_FOUND, status.getStatus().getCode());
        assertEquals("no domain with uuid 42", status.getStatus().getDescription());
        com.google.rpc.Status detail = StatusProto.fromThrowable(status);
        ErrorInfo info = detail.getDetails(0).unpack(ErrorInfo.class);
        assertEquals("DOMAIN_NOT_FOUND", info.getReason());
        assertEquals(GrpcErrors.ERROR_DOMAIN, info.getDomain());
        assertEquals("42", info.getMetadataOrThrow("uuid"));
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
            throw AimException.invalidArgument("BAD", "bad");
        });
        assertEquals(List.of("next ok", "completed", "error INVALID_ARGUMENT"), events);
    }
}
