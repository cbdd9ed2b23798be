package com.abiquo.aim.libvirt.events.bench;

import com.abiquo.aim.v1.DomainEvent;
import com.abiquo.aim.v1.DomainEventKind;
import com.abiquo.aim.v1.DomainState;
import com.abiquo.aim.v1.EventNode;
import com.abiquo.aim.v1.EventsMonitorServiceGrpc;
import com.abiquo.aim.v1.SubscribeRequest;
import com.abiquo.aim.v1.SubscribeResponse;
import com.abiquo.aim.v1.SubscriptionStarted;
import com.google.protobuf.Timestamp;
import io.grpc.Server;
import io.grpc.netty.shaded.io.grpc.netty.NettyServerBuilder;
import io.grpc.stub.ServerCallStreamObserver;
import io.grpc.stub.StreamObserver;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;

/**
 * The peer of the latency benchmark: plain grpc-java server streaming with nothing of AIM (no libvirt, journal,
 * filter or flow-control bookkeeping). It serves the same Subscribe method, so the same subscriber process connects
 * to it, and {@link #fire} sends one event-sized message to every open stream from the calling thread, as AIM's
 * callback thread does. What it takes from fire to receipt is the floor that gRPC, the kernel and the clients set on
 * this machine.
 */
final class BareFanoutServer implements AutoCloseable {
    private final List<ServerCallStreamObserver<SubscribeResponse>> streams = new CopyOnWriteArrayList<>();
    private final Server server;

    BareFanoutServer() throws IOException {
        server = NettyServerBuilder.forAddress(new InetSocketAddress("127.0.0.1", 0))
                .addService(new EventsMonitorServiceGrpc.EventsMonitorServiceImplBase() {
                    @Override
                    public void subscribe(SubscribeRequest request, StreamObserver<SubscribeResponse> observer) {
                        ServerCallStreamObserver<SubscribeResponse> stream =
                                (ServerCallStreamObserver<SubscribeResponse>) observer;
                        stream.setOnCancelHandler(() -> streams.remove(stream));
                        stream.onNext(SubscribeResponse.newBuilder().setStarted(SubscriptionStarted.newBuilder()
                                .setSubscriptionId("bare-" + streams.size())).build());
                        streams.add(stream);
                    }
                }).build().start();
    }

    int port() {
        return server.getPort();
    }

    /** Sends event {@code sequence} to every stream; @return System.nanoTime() when the last was handed to gRPC */
    long fire(long sequence, String uuid) {
        long now = System.currentTimeMillis();
        SubscribeResponse message = SubscribeResponse.newBuilder().setEvent(DomainEvent.newBuilder()
                .setSequence(sequence)
                .setTime(Timestamp.newBuilder().setSeconds(now / 1000).setNanos((int) (now % 1000) * 1_000_000))
                .setNode(EventNode.newBuilder().setHostname("bench-node").setAddress("127.0.0.1"))
                .setDomainUuid(uuid).setDomainName("aimtest-ev-bench")
                .setKind(DomainEventKind.DOMAIN_EVENT_KIND_PAUSED).setLibvirtEventType(3)
                .setLibvirtEventDetail(0).setLibvirtEvent("SUSPENDED/PAUSED")
                .setState(DomainState.DOMAIN_STATE_PAUSED)).build();
        for (ServerCallStreamObserver<SubscribeResponse> stream : streams) {
            if (stream.isReady()) {
                stream.onNext(message);
            }
        }
        return System.nanoTime();
    }

    @Override
    public void close() throws InterruptedException {
        server.shutdownNow();
        server.awaitTermination(5, TimeUnit.SECONDS);
    }
}
