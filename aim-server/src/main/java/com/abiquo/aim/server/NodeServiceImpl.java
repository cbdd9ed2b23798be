package com.abiquo.aim.server;

import static java.util.Objects.requireNonNull;

import com.abiquo.aim.v1.GetAgentInfoRequest;
import com.abiquo.aim.v1.GetAgentInfoResponse;
import com.abiquo.aim.v1.NodeServiceGrpc;
import com.google.protobuf.Timestamp;
import io.grpc.stub.StreamObserver;
import java.time.Instant;
import java.util.List;

/** NodeService: who this agent is (version, revision, host name, services). */
final class NodeServiceImpl extends NodeServiceGrpc.NodeServiceImplBase {
    private final BuildInfo build;
    private final String hostname;
    private final String address;
    private final List<String> services;
    private final Timestamp startTime;

    NodeServiceImpl(BuildInfo build, String hostname, String address, List<String> services, Instant startTime) {
        this.build = requireNonNull(build, "build is null");
        this.hostname = requireNonNull(hostname, "hostname is null");
        this.address = requireNonNull(address, "address is null");
        this.services = List.copyOf(services);
        this.startTime = Timestamp.newBuilder().setSeconds(startTime.getEpochSecond()).setNanos(startTime.getNano())
                .build();
    }

    @Override
    public void getAgentInfo(GetAgentInfoRequest request, StreamObserver<GetAgentInfoResponse> observer) {
        observer.onNext(GetAgentInfoResponse.newBuilder()
                .setVersion(build.version())
                .setGitRevision(build.gitRevision())
                .setHostname(hostname)
                .addAllServices(services)
                .setStartTime(startTime)
                .setAddress(address)
                .build());
        observer.onCompleted();
    }
}
