package com.abiquo.aim.server;

import static java.util.Objects.requireNonNull;

import io.grpc.Metadata;
import io.grpc.ServerCall;
import io.grpc.ServerCallExecutorSupplier;
import java.util.Set;
import java.util.concurrent.Executor;

/**
 * Runs health checks, reflection and NodeService on their own small pool (the server's default executor, which
 * also looks calls up when they arrive): a node busy with -t slow calls (libvirt waits, big copies) must still
 * answer its health checks, or an orchestrator would restart a healthy agent. Every other call runs on the
 * request pool of -t threads.
 */
final class InfrastructureCalls implements ServerCallExecutorSupplier {
    private static final Set<String> SERVICES = Set.of("grpc.health.v1.Health", "grpc.reflection.v1.ServerReflection",
            "grpc.reflection.v1alpha.ServerReflection", "abiquo.aim.v1.NodeService");

    private final Executor requests;

    InfrastructureCalls(Executor requests) {
        this.requests = requireNonNull(requests, "requests is null");
    }

    @Override
    public <ReqT, RespT> Executor getExecutor(ServerCall<ReqT, RespT> call, Metadata metadata) {
        String service = call.getMethodDescriptor().getServiceName();
        return SERVICES.contains(service) ? null : requests;
    }
}
