package com.abiquo.aim.server.calls;

import static java.util.Objects.requireNonNull;

import com.abiquo.aim.core.error.AimException;
import com.abiquo.aim.core.error.GrpcErrors;
import com.abiquo.aim.server.ServerErrorReason;
import io.grpc.ForwardingServerCall.SimpleForwardingServerCall;
import io.grpc.ForwardingServerCallListener.SimpleForwardingServerCallListener;
import io.grpc.Metadata;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptor;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Acts on {@link CallRouter}'s decision: a call that found its class full gets RESOURCE_EXHAUSTED (reason
 * TOO_MANY_CALLS) at once, and an admitted call gives its place back exactly once, when it is closed or cancelled.
 */
public final class AdmissionInterceptor implements ServerInterceptor {
    private final CallPools pools;

    public AdmissionInterceptor(CallPools pools) {
        this.pools = requireNonNull(pools, "pools is null");
    }

    @Override
    public <ReqT, RespT> ServerCall.Listener<ReqT> interceptCall(ServerCall<ReqT, RespT> call, Metadata headers,
            ServerCallHandler<ReqT, RespT> next) {
        String decision = headers.get(CallRouter.ADMISSION);
        if (decision == null) {
            return next.startCall(call, headers);
        }
        headers.removeAll(CallRouter.ADMISSION);
        if (decision.startsWith(CallRouter.REFUSED)) {
            CallPool pool = pools.pool(CallClass.valueOf(decision.substring(CallRouter.REFUSED.length())));
            StatusRuntimeException refusal = refusal(call.getMethodDescriptor().getFullMethodName(), pool);
            call.close(refusal.getStatus(), refusal.getTrailers() == null ? new Metadata() : refusal.getTrailers());
            return new ServerCall.Listener<>() { };
        }
        CallPool pool = pools.pool(CallClass.valueOf(decision.substring(CallRouter.ADMITTED.length())));
        AtomicBoolean released = new AtomicBoolean();
        Runnable release = () -> {
            if (released.compareAndSet(false, true)) {
                pool.release();
            }
        };
        ServerCall<ReqT, RespT> releasingCall = new SimpleForwardingServerCall<>(call) {
            @Override
            public void close(Status status, Metadata trailers) {
                try {
                    super.close(status, trailers);
                } finally {
                    release.run();
                }
            }
        };
        ServerCall.Listener<ReqT> listener;
        try {
            listener = next.startCall(releasingCall, headers);
        } catch (RuntimeException failure) {
            release.run();
            throw failure;
        }
        return new SimpleForwardingServerCallListener<>(listener) {
            @Override
            public void onCancel() {
                try {
                    super.onCancel();
                } finally {
                    release.run();
                }
            }

            @Override
            public void onComplete() {
                try {
                    super.onComplete();
                } finally {
                    release.run();
                }
            }
        };
    }

    static StatusRuntimeException refusal(String method, CallPool pool) {
        String kind = pool.callClass().name().toLowerCase();
        return GrpcErrors.toStatusException(new AimException(Status.Code.RESOURCE_EXHAUSTED,
                ServerErrorReason.TOO_MANY_CALLS,
                method + " refused: AIM already runs or queues " + pool.maxInFlight() + " " + kind
                        + " calls, its limit (" + pool.threads() + " threads, sized from -t/--threads); retry later",
                Map.of("call_class", pool.callClass().name(), "limit", Integer.toString(pool.maxInFlight())),
                null));
    }
}
