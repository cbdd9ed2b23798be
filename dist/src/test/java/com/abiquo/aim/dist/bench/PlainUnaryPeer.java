package com.abiquo.aim.dist.bench;

import io.grpc.InsecureServerCredentials;
import io.grpc.Server;
import io.grpc.netty.shaded.io.grpc.netty.NettyServerBuilder;
import io.grpc.protobuf.services.HealthStatusManager;

/**
 * The peer of scripts/bench-footprint's reads: a plain grpc-java server, JVM defaults, answering the health service's
 * unary {@code Check} (a request and a reply of a few bytes, like {@code GetDomainState}) with nothing behind it. What
 * the same 200 callers get from it on the same machine is the floor any gRPC server's reads can reach there.
 * Usage: PlainUnaryPeer PORT; runs until killed.
 */
public final class PlainUnaryPeer {
    private PlainUnaryPeer() {
    }

    public static void main(String[] args) throws Exception {
        Server server = NettyServerBuilder.forPort(Integer.parseInt(args[0]), InsecureServerCredentials.create())
                .addService(new HealthStatusManager().getHealthService())
                // AIM's default [limits] maxConcurrentCallsPerConnection: of 200 callers on one connection, 72 wait
                // in the client for a stream on both sides
                .maxConcurrentCallsPerConnection(128)
                .build()
                .start();
        System.out.println("listening on " + server.getPort());
        server.awaitTermination();
    }
}
