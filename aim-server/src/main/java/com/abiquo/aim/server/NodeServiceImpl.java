package com.abiquo.aim.server;

import static java.util.Objects.requireNonNull;

import com.abiquo.aim.v1.GetAgentInfoRequest;
import com.abiquo.aim.v1.GetAgentInfoResponse;
import com.abiquo.aim.v1.NodeServiceGrpc;
import io.grpc.stub.StreamObserver;
import java.util.List;

/** NodeService: who this agent is (version, revision, host name, services). */
final class NodeServiceImpl extends NodeServiceGrpc.NodeServiceImplBase {
    private final BuildInfo build;
    private final String hostname;
    private final List<String> services;

    NodeServiceImpl(BuildInfo build, String hostname, List<String> services) {
        this.build = requireNonNull(build, "build is null");
        this.hostname = requireNonNull(hostname, "hostname is null");
        this.services = List.copyOf(services);
    }

    @Override
    public void getAgentInfo(GetAgentInfoRequest request, StreamObserver<GetAgentInfoResponse> observer) {
        observer.onNext(GetAgentInfoResponse.newBuilder()
                .setVersion(build.version())
                .setGitRevision(build.gitRevision())
                .setHostname(hostname)
                .addAllServices(services)
                .build());
        observer.onCompleted();
    }
}
