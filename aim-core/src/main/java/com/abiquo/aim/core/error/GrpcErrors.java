package com.abiquo.aim.core.error;

import com.google.protobuf.Any;
import com.google.rpc.ErrorInfo;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.protobuf.StatusProto;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.Logger;

/**
 * Turns failures into what a gRPC client receives: the status code, the message and a
 * {@code google.rpc.ErrorInfo} (reason, domain "aim.abiquo.com", metadata). Unexpected exceptions become INTERNAL
 * with a generic message; their stack trace goes to the log, never to the client.
 */
public final class GrpcErrors {
    public static final String ERROR_DOMAIN = "aim.abiquo.com";
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
        ErrorInfo info = ErrorInfo.newBuilder()
                .setReason(failure.reason())
                .setDomain(ERROR_DOMAIN)
                .putAllMetadata(failure.metadata())
                .build();
        com.google.rpc.Status status = com.google.rpc.Status.newBuilder()
                .setCode(failure.code().value())
                .setMessage(failure.getMessage())
                .addDetails(Any.pack(info))
                .build();
        if (failure.code() == Status.Code.INTERNAL && failure.getCause() != null) {
            LOG.error("Internal failure: {}", failure.getMessage(), failure.getCause());
        }
        return StatusProto.toStatusRuntimeException(status);
    }
}
