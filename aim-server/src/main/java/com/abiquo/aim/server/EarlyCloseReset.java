package com.abiquo.aim.server;

import io.grpc.ForwardingServerCall;
import io.grpc.ForwardingServerCallListener;
import io.grpc.Metadata;
import io.grpc.MethodDescriptor.MethodType;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptor;
import io.grpc.Status;
import io.grpc.internal.ServerStream;
import java.lang.reflect.Field;
import java.lang.reflect.Method;
import java.util.concurrent.atomic.AtomicBoolean;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.Logger;

/**
 * Ends the HTTP/2 stream of a client-streaming call that fails while its client is still sending (an Upload refused
 * at its header, or failing part-way), so that the client returns at once.
 *
 * <p>grpc-java's server sends the status in trailers but neither resets the stream nor reads any further
 * (grpc-java issue 2162): the client's later DATA frames are never given back to flow control, and a client that
 * keeps writing until its request body ends (buf curl, Go's HTTP/2 client) stalls after its first window, forever.
 * RFC 9113 section 8.1 lets a server that answered before the request ended send RST_STREAM; grpc-go does. The
 * remedy chosen here is that reset, not reading and discarding the rest: draining would make a client that was
 * refused at its header still send every byte (up to uploadMaxBytes) before it returns.
 *
 * <p>grpc-java offers no API for it, so the transport stream behind the call is reached by reflection and cancelled
 * right after the trailers were queued: its RST_STREAM(CANCEL) follows them on the same write queue, so the client
 * reads the status first. Only error statuses reset: an error of a client-streaming call has sent no response
 * message that a reset could cut off. Should a grpc-java upgrade change these internals, the call still ends with
 * its status as before (logged once) and UploadRefusedTest fails on the upgrade.
 */
final class EarlyCloseReset implements ServerInterceptor {
    private static final Logger LOG = LogManager.getLogger(EarlyCloseReset.class);
    private static final AtomicBoolean WARNED = new AtomicBoolean();

    @Override
    public <ReqT, RespT> ServerCall.Listener<ReqT> interceptCall(ServerCall<ReqT, RespT> call, Metadata headers,
            ServerCallHandler<ReqT, RespT> next) {
        MethodType type = call.getMethodDescriptor().getType();
        if (type != MethodType.CLIENT_STREAMING && type != MethodType.BIDI_STREAMING) {
            return next.startCall(call, headers); // the client half-closes with its one request
        }
        AtomicBoolean clientDone = new AtomicBoolean();
        ServerCall<ReqT, RespT> resetting = new ForwardingServerCall.SimpleForwardingServerCall<>(call) {
            @Override
            public void close(Status status, Metadata trailers) {
                super.close(status, trailers);
                if (!status.isOk() && !clientDone.get()) {
                    reset(call, status);
                }
            }
        };
        return new ForwardingServerCallListener.SimpleForwardingServerCallListener<>(
                next.startCall(resetting, headers)) {
            @Override
            public void onHalfClose() {
                clientDone.set(true);
                super.onHalfClose();
            }

            @Override
            public void onCancel() {
                clientDone.set(true);
                super.onCancel();
            }
        };
    }

    private static void reset(ServerCall<?, ?> call, Status status) {
        ServerStream stream = transportStream(call);
        if (stream != null) {
            stream.cancel(Status.CANCELLED.withDescription("the call ended with " + status.getCode()
                    + " before the client finished sending"));
        }
    }

    /** The transport stream behind a call (grpc-java's ServerCallImpl keeps it in its field "stream"). */
    private static ServerStream transportStream(ServerCall<?, ?> call) {
        Object current = call;
        try {
            while (current instanceof ForwardingServerCall<?, ?>) {
                Method delegate = ForwardingServerCall.class.getDeclaredMethod("delegate");
                delegate.setAccessible(true);
                current = delegate.invoke(current);
            }
            for (Class<?> type = current.getClass(); type != null; type = type.getSuperclass()) {
                for (Field field : type.getDeclaredFields()) {
                    if (ServerStream.class.isAssignableFrom(field.getType())) {
                        field.setAccessible(true);
                        return (ServerStream) field.get(current);
                    }
                }
            }
            warnOnce("the call " + current.getClass().getName() + " holds no transport stream", null);
        } catch (ReflectiveOperationException | RuntimeException failure) {
            warnOnce("cannot reach the transport stream of " + current.getClass().getName(), failure);
        }
        return null;
    }

    private static void warnOnce(String problem, Throwable cause) {
        if (WARNED.compareAndSet(false, true)) {
            LOG.warn("A refused upload cannot reset its stream ({}): clients still sending will wait for their own "
                    + "timeout (grpc-java issue 2162)", problem, cause);
        }
    }
}
