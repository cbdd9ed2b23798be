package com.abiquo.aim.server;

import com.abiquo.aim.core.error.AimException;
import com.abiquo.aim.core.error.GrpcErrors;
import io.grpc.Attributes;
import io.grpc.Metadata;
import io.grpc.MethodDescriptor;
import io.grpc.SecurityLevel;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerMethodDefinition;
import io.grpc.ServerServiceDefinition;
import io.grpc.ServiceDescriptor;
import io.grpc.Status;
import java.io.InputStream;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Makes a request that protobuf cannot parse the client's mistake: INVALID_ARGUMENT (reason MALFORMED_REQUEST), not
 * the UNKNOWN ("Application error processing RPC") that grpc-java answers whenever parsing throws. A client can send
 * such bytes on purpose or by accident: a string field that is not UTF-8 (proto3 strings must be), a truncated
 * message, a wrong wire type.
 *
 * <p>Each method of a service is re-bound to take the raw bytes; they are parsed here with the method's own
 * marshaller before the service's handler sees the message. The service descriptors keep their schema, so
 * reflection still describes every method.
 */
final class StrictRequestParsing {
    private static final MethodDescriptor.Marshaller<InputStream> RAW = new MethodDescriptor.Marshaller<>() {
        @Override
        public InputStream stream(InputStream value) {
            return value;
        }

        @Override
        public InputStream parse(InputStream stream) {
            return stream; // parsed by ParsingListener.onMessage, while the transport still holds it open
        }
    };

    private StrictRequestParsing() {
    }

    static ServerServiceDefinition wrap(ServerServiceDefinition service) {
        ServiceDescriptor original = service.getServiceDescriptor();
        List<ServerMethodDefinition<InputStream, ?>> methods = service.getMethods().stream()
                .<ServerMethodDefinition<InputStream, ?>>map(StrictRequestParsing::wrap).toList();
        ServiceDescriptor.Builder descriptor = ServiceDescriptor.newBuilder(original.getName())
                .setSchemaDescriptor(original.getSchemaDescriptor());
        methods.forEach(method -> descriptor.addMethod(method.getMethodDescriptor()));
        ServerServiceDefinition.Builder wrapped = ServerServiceDefinition.builder(descriptor.build());
        methods.forEach(wrapped::addMethod);
        return wrapped.build();
    }

    private static <ReqT, RespT> ServerMethodDefinition<InputStream, RespT> wrap(
            ServerMethodDefinition<ReqT, RespT> definition) {
        MethodDescriptor<ReqT, RespT> method = definition.getMethodDescriptor();
        MethodDescriptor<InputStream, RespT> raw = method.toBuilder(RAW, method.getResponseMarshaller()).build();
        ServerCallHandler<InputStream, RespT> handler = (call, headers) -> {
            TypedCall<ReqT, RespT> typed = new TypedCall<>(call, method);
            return new ParsingListener<>(definition.getServerCallHandler().startCall(typed, headers), typed, method);
        };
        return ServerMethodDefinition.create(raw, handler);
    }

    /** Parses each message before the service's listener sees it; a message that does not parse ends the call. */
    private static final class ParsingListener<ReqT, RespT> extends ServerCall.Listener<InputStream> {
        private final ServerCall.Listener<ReqT> delegate;
        private final TypedCall<ReqT, RespT> call;
        private final MethodDescriptor<ReqT, RespT> method;
        private boolean refused;

        ParsingListener(ServerCall.Listener<ReqT> delegate, TypedCall<ReqT, RespT> call,
                MethodDescriptor<ReqT, RespT> method) {
            this.delegate = delegate;
            this.call = call;
            this.method = method;
        }

        @Override
        public void onMessage(InputStream message) {
            if (refused) {
                return;
            }
            ReqT parsed;
            try {
                parsed = method.parseRequest(message);
            } catch (RuntimeException unparsable) {
                refused = true;
                call.refuse(GrpcErrors.toStatusException(new AimException(Status.Code.INVALID_ARGUMENT,
                        ServerErrorReason.MALFORMED_REQUEST,
                                "the request to " + method.getBareMethodName() + " is not a valid "
                        + "protobuf message (is every string field valid UTF-8?): " + reason(unparsable),
                        Map.of("method", method.getFullMethodName()), null)));
                delegate.onCancel(); // the service drops what it began (an upload's temporary)
                return;
            }
            delegate.onMessage(parsed);
        }

        @Override
        public void onHalfClose() {
            if (!refused) {
                delegate.onHalfClose();
            }
        }

        @Override
        public void onCancel() {
            if (!refused) {
                delegate.onCancel();
            }
        }

        @Override
        public void onComplete() {
            if (!refused) {
                delegate.onComplete();
            }
        }

        @Override
        public void onReady() {
            if (!refused) {
                delegate.onReady();
            }
        }

        private static String reason(RuntimeException failure) {
            Throwable cause = failure.getCause() != null ? failure.getCause() : failure;
            return String.valueOf(cause.getMessage());
        }
    }

    /** The call as the service sees it (typed requests); a refused call ignores whatever the service does next. */
    private static final class TypedCall<ReqT, RespT> extends ServerCall<ReqT, RespT> {
        private final ServerCall<InputStream, RespT> call;
        private final MethodDescriptor<ReqT, RespT> method;
        private final AtomicBoolean closed = new AtomicBoolean();

        TypedCall(ServerCall<InputStream, RespT> call, MethodDescriptor<ReqT, RespT> method) {
            this.call = call;
            this.method = method;
        }

        void refuse(io.grpc.StatusRuntimeException status) {
            if (closed.compareAndSet(false, true)) {
                Metadata trailers = status.getTrailers() == null ? new Metadata() : status.getTrailers();
                call.close(status.getStatus(), trailers);
            }
        }

        @Override
        public void request(int numMessages) {
            call.request(numMessages);
        }

        @Override
        public void sendHeaders(Metadata headers) {
            if (!closed.get()) {
                call.sendHeaders(headers);
            }
        }

        @Override
        public void sendMessage(RespT message) {
            if (!closed.get()) {
                call.sendMessage(message);
            }
        }

        @Override
        public boolean isReady() {
            return !closed.get() && call.isReady();
        }

        @Override
        public void close(Status status, Metadata trailers) {
            if (closed.compareAndSet(false, true)) {
                call.close(status, trailers);
            }
        }

        @Override
        public boolean isCancelled() {
            return call.isCancelled();
        }

        @Override
        public void setMessageCompression(boolean enabled) {
            call.setMessageCompression(enabled);
        }

        @Override
        public void setCompression(String compressor) {
            call.setCompression(compressor);
        }

        @Override
        public void setOnReadyThreshold(int numBytes) {
            call.setOnReadyThreshold(numBytes);
        }

        @Override
        public SecurityLevel getSecurityLevel() {
            return call.getSecurityLevel();
        }

        @Override
        public Attributes getAttributes() {
            return call.getAttributes();
        }

        @Override
        public String getAuthority() {
            return call.getAuthority();
        }

        @Override
        public MethodDescriptor<ReqT, RespT> getMethodDescriptor() {
            return method;
        }
    }
}
