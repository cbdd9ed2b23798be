package com.abiquo.aim.server.security;

import static java.util.Objects.requireNonNull;

import com.abiquo.aim.core.error.AimException;
import com.abiquo.aim.core.error.GrpcErrors;
import com.abiquo.aim.server.ServerErrorReason;
import com.google.protobuf.MessageLite;
import io.grpc.ForwardingServerCallListener.SimpleForwardingServerCallListener;
import io.grpc.Metadata;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptor;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import java.util.Map;
import java.util.Set;

/**
 * The largest request message each method accepts: the one table of per-method sizes. Only Upload (file chunks)
 * and DefineDomain (domain XML) get [limits] maxLargeMessageBytes; every other method maxMessageBytes. The
 * transport itself stops anything above the larger of the two before it is parsed; this refuses a message above
 * its method's limit with RESOURCE_EXHAUSTED (MESSAGE_TOO_LARGE) naming method, size and limit.
 */
public final class MessageSizeLimits implements ServerInterceptor {
    /** The methods whose requests may be large. */
    static final Set<String> LARGE = Set.of("abiquo.aim.v1.RimpService/Upload",
            "abiquo.aim.v1.LibvirtService/DefineDomain");

    private final ServerLimits limits;

    public MessageSizeLimits(ServerLimits limits) {
        this.limits = requireNonNull(limits, "limits is null");
    }

    /** The largest message of {@code fullMethodName}, in bytes. */
    public int limitOf(String fullMethodName) {
        return LARGE.contains(fullMethodName) ? limits.maxLargeMessageBytes() : limits.maxMessageBytes();
    }

    /** What the transport must let through at most: the largest per-method limit. */
    public int transportLimit() {
        return Math.max(limits.maxMessageBytes(), limits.maxLargeMessageBytes());
    }

    @Override
    public <ReqT, RespT> ServerCall.Listener<ReqT> interceptCall(ServerCall<ReqT, RespT> call, Metadata headers,
            ServerCallHandler<ReqT, RespT> next) {
        String method = call.getMethodDescriptor().getFullMethodName();
        int limit = limitOf(method);
        return new SimpleForwardingServerCallListener<>(next.startCall(call, headers)) {
            private boolean refused;

            @Override
            public void onMessage(ReqT message) {
                if (refused) {
                    return;
                }
                // parsed: this interceptor runs inside StrictRequestParsing (AimServer)
                long size = message instanceof MessageLite request ? request.getSerializedSize() : -1;
                if (size > limit) {
                    refused = true;
                    StatusRuntimeException status = GrpcErrors.toStatusException(new AimException(
                            Status.Code.RESOURCE_EXHAUSTED, ServerErrorReason.MESSAGE_TOO_LARGE,
                                    "a request message of " + method
                                    + " has " + size + " bytes; at most " + limit
                                    + " are accepted ([limits] " + (LARGE.contains(method) ? "maxLargeMessageBytes"
                                            : "maxMessageBytes") + ")",
                            Map.of("method", method, "limit", String.valueOf(limit),
                                    "size", String.valueOf(size)), null));
                    call.close(status.getStatus(), status.getTrailers() == null ? new Metadata()
                            : status.getTrailers());
                    return;
                }
                super.onMessage(message);
            }

            @Override
            public void onHalfClose() {
                if (!refused) {
                    super.onHalfClose();
                }
            }
        };
    }
}
