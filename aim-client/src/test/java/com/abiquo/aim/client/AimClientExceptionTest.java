package com.abiquo.aim.client;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.google.protobuf.Any;
import com.google.rpc.ErrorInfo;
import io.grpc.Status;
import io.grpc.protobuf.StatusProto;
import java.util.Map;
import java.util.OptionalLong;
import org.junit.jupiter.api.Test;

class AimClientExceptionTest {
    private static AimClientException fromAgent(Status.Code code, String reason, Map<String, String> metadata) {
        com.google.rpc.Status status = com.google.rpc.Status.newBuilder().setCode(code.value())
                .setMessage("domain \"web1\" not found")
                .addDetails(Any.pack(ErrorInfo.newBuilder().setReason(reason).setDomain("aim.abiquo.com")
                        .putAllMetadata(metadata).build()))
                .build();
        return AimClientException.from(StatusProto.toStatusRuntimeException(status));
    }

    @Test
    void aKnownReasonIsAValueToSwitchOn() {
        AimClientException failure = fromAgent(Status.Code.NOT_FOUND, "DOMAIN_NOT_FOUND", Map.of());
        assertEquals(Status.Code.NOT_FOUND, failure.code());
        assertEquals(AimErrorReason.DOMAIN_NOT_FOUND, failure.reason());
        assertEquals("domain \"web1\" not found", failure.getMessage());
        assertEquals("NOT_FOUND DOMAIN_NOT_FOUND: domain \"web1\" not found", failure.toString());
    }

    @Test
    void anUnknownReasonIsUnrecognizedAndKeptAsText() {
        AimClientException failure = fromAgent(Status.Code.FAILED_PRECONDITION, "SOMETHING_NEWER", Map.of());
        assertEquals(AimErrorReason.UNRECOGNIZED, failure.reason());
        assertEquals("SOMETHING_NEWER", failure.reasonName());
    }

    @Test
    void libvirtReasonsAreMarkedAsSuch() {
        AimClientException failure = fromAgent(Status.Code.ALREADY_EXISTS, "LIBVIRT_DOM_EXIST", Map.of());
        assertEquals(AimErrorReason.LIBVIRT_DOM_EXIST, failure.reason());
        assertEquals(true, failure.reason().isLibvirt());
    }

    @Test
    void theResumePointOfAnEndedStreamIsRead() {
        AimClientException failure = fromAgent(Status.Code.RESOURCE_EXHAUSTED, "SUBSCRIBER_TOO_SLOW",
                Map.of("resume_after_sequence", "1795574789429815"));
        assertEquals(OptionalLong.of(1795574789429815L), failure.resumeAfterSequence());
    }

    @Test
    void aFailureWithoutErrorInfoHasNoReason() {
        AimClientException failure = AimClientException.from(
                Status.UNAVAILABLE.withDescription("io exception").asRuntimeException());
        assertEquals(Status.Code.UNAVAILABLE, failure.code());
        assertEquals(AimErrorReason.NONE, failure.reason());
        assertEquals("", failure.reasonName());
        assertEquals("io exception", failure.getMessage());
    }
}
