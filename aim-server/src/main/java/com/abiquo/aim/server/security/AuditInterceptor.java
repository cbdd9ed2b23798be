package com.abiquo.aim.server.security;

import com.abiquo.aim.server.methods.MethodTable;
import io.grpc.ForwardingServerCall.SimpleForwardingServerCall;
import io.grpc.ForwardingServerCallListener.SimpleForwardingServerCallListener;
import io.grpc.Grpc;
import io.grpc.Metadata;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptor;
import io.grpc.Status;
import com.google.protobuf.Message;
import java.net.SocketAddress;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.apache.logging.log4j.Level;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.Logger;

/**
 * The audit trail: every call that changes something on the node (what {@link MethodTable} gives operators), and
 * every call refused for want of a certificate or role, is logged once when it ends, to the logger
 * {@value #LOGGER} (log4j2.xml routes it to syslog with ident abiquo-aim-audit). A line carries who (the client
 * certificate's identity, or only the peer address without TLS), the method, its key arguments
 * ({@link AuditArguments}: never secrets), the status and the duration. Outermost interceptor: refusals by
 * {@link AuthorizationInterceptor} are seen too.
 */
public final class AuditInterceptor implements ServerInterceptor {
    public static final String LOGGER = "abiquo.aim.audit";
    private static final Logger AUDIT = LogManager.getLogger(LOGGER);

    @Override
    public <ReqT, RespT> ServerCall.Listener<ReqT> interceptCall(ServerCall<ReqT, RespT> call, Metadata headers,
            ServerCallHandler<ReqT, RespT> next) {
        String method = call.getMethodDescriptor().getFullMethodName();
        AuditedCall<ReqT, RespT> audited = new AuditedCall<>(call, method, MethodTable.changesSomething(method));
        return new SimpleForwardingServerCallListener<>(next.startCall(audited, headers)) {
            @Override
            public void onMessage(ReqT message) {
                audited.firstRequest(message);
                super.onMessage(message);
            }

            @Override
            public void onCancel() {
                audited.ended(Status.CANCELLED.withDescription("cancelled by the client or its deadline"));
                super.onCancel();
            }
        };
    }

    private static final class AuditedCall<ReqT, RespT> extends SimpleForwardingServerCall<ReqT, RespT> {
        private final String method;
        private final boolean changesSomething;
        private final long started = System.nanoTime();
        private final AtomicBoolean logged = new AtomicBoolean();
        private volatile Message firstRequest;

        AuditedCall(ServerCall<ReqT, RespT> call, String method, boolean changesSomething) {
            super(call);
            this.method = method;
            this.changesSomething = changesSomething;
        }

        void firstRequest(Object message) {
            // client streams (Upload): the first message is the header that names the file. Only a call that
            // changes something is logged with its arguments (a refusal comes before any message), and they are
            // written out only then: most calls are reads, whose requests are neither kept nor walked.
            if (changesSomething && firstRequest == null && message instanceof Message request) {
                firstRequest = request;
            }
        }

        @Override
        public void close(Status status, Metadata trailers) {
            ended(status);
            super.close(status, trailers);
        }

        void ended(Status status) {
            boolean refused = status.getCode() == Status.Code.PERMISSION_DENIED
                    || status.getCode() == Status.Code.UNAUTHENTICATED;
            if (!(changesSomething || refused) || !logged.compareAndSet(false, true)) {
                return;
            }
            long millis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started);
            SocketAddress peer = getAttributes().get(Grpc.TRANSPORT_ATTR_REMOTE_ADDR);
            Optional<ClientIdentity> client = ClientIdentity.of(getAttributes().get(Grpc.TRANSPORT_ATTR_SSL_SESSION));
            StringBuilder line = new StringBuilder("identity=")
                    .append(client.map(identity -> AuditArguments.quoted(identity.primary())).orElse("-"))
                    .append(" peer=").append(AuditArguments.quoted(String.valueOf(peer)))
                    .append(" method=").append(method)
                    .append(" status=").append(status.getCode())
                    .append(" duration_ms=").append(millis);
            String arguments = firstRequest == null ? "" : AuditArguments.of(firstRequest);
            if (!arguments.isEmpty()) {
                line.append(' ').append(arguments);
            }
            if (!status.isOk() && status.getDescription() != null) {
                line.append(" error=").append(AuditArguments.quoted(status.getDescription()));
            }
            AUDIT.log(status.isOk() ? Level.INFO : Level.WARN, line.toString());
        }
    }
}
