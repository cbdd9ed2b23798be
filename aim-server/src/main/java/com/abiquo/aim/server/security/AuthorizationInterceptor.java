package com.abiquo.aim.server.security;

import static java.util.Objects.requireNonNull;

import com.abiquo.aim.core.error.AimException;
import com.abiquo.aim.core.error.GrpcErrors;
import com.abiquo.aim.server.ServerErrorReason;
import com.abiquo.aim.server.methods.MethodTable;
import io.grpc.Grpc;
import io.grpc.Metadata;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptor;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicReference;

/**
 * Lets a call through only when the client's certificate gives it the role the method needs ({@link MethodTable}).
 * Installed on every service of a mutual-TLS server, health and reflection included. Without a client certificate:
 * UNAUTHENTICATED; with a role too weak, or none: PERMISSION_DENIED naming the method, the identity and the role
 * required. The policy can be swapped while calls run (SIGHUP): a call is judged once, when it starts.
 */
public final class AuthorizationInterceptor implements ServerInterceptor {
    private final AtomicReference<AccessPolicy> policy;

    public AuthorizationInterceptor(AccessPolicy policy) {
        this.policy = new AtomicReference<>(requireNonNull(policy, "policy is null"));
    }

    /** New calls are judged by {@code next}; calls already let in keep running. */
    public void replace(AccessPolicy next) {
        policy.set(requireNonNull(next, "next is null"));
    }

    public AccessPolicy policy() {
        return policy.get();
    }

    @Override
    public <ReqT, RespT> ServerCall.Listener<ReqT> interceptCall(ServerCall<ReqT, RespT> call, Metadata headers,
            ServerCallHandler<ReqT, RespT> next) {
        String method = call.getMethodDescriptor().getFullMethodName();
        Optional<ClientIdentity> client = ClientIdentity.of(call.getAttributes().get(Grpc.TRANSPORT_ATTR_SSL_SESSION));
        Optional<AimException> refusal = client.isEmpty() ? Optional.of(unauthenticated(method))
                : refusal(method, client.get(), policy.get());
        if (refusal.isPresent()) {
            StatusRuntimeException status = GrpcErrors.toStatusException(refusal.get());
            call.close(status.getStatus(), status.getTrailers() == null ? new Metadata() : status.getTrailers());
            return new ServerCall.Listener<>() {
            };
        }
        return next.startCall(call, headers);
    }

    /** Why {@code client} may not call {@code method} under {@code policy}; empty when it may. */
    static Optional<AimException> refusal(String method, ClientIdentity client, AccessPolicy policy) {
        Optional<Access> access = MethodTable.access(method);
        if (access.isEmpty()) {
            return Optional.of(new AimException(Status.Code.PERMISSION_DENIED, ServerErrorReason.METHOD_NOT_CLASSIFIED,
                    method
                    + " is refused to every client: AIM does not say which role it needs (a defect of this build)",
                    Map.of("method", method, "identity", client.primary()), null));
        }
        Role role = policy.roleOf(client);
        if (access.get().grantedTo(role)) {
            return Optional.empty();
        }
        String has = role == Role.NONE
                ? "its certificate matches none of [authorization] readers and operators (identities tried: "
                        + String.join(", ", client.identities()) + ")"
                : "it is a " + role.label();
        return Optional.of(new AimException(Status.Code.PERMISSION_DENIED, ServerErrorReason.ROLE_REQUIRED,
                method + " needs role "
                + access.get().label() + "; client " + client.primary() + " may not call it: " + has,
                Map.of("method", method, "identity", client.primary(), "requiredRole", access.get().label(),
                        "role", role.label()), null));
    }

    private static AimException unauthenticated(String method) {
        return new AimException(Status.Code.UNAUTHENTICATED, ServerErrorReason.CLIENT_CERTIFICATE_REQUIRED, method
                + " needs a client certificate signed by [server] tlsClientCa; this connection presented none",
                Map.of("method", method), null);
    }
}
