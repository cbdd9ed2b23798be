package com.abiquo.aim.libvirt.events.grpc;

import static java.util.Objects.requireNonNull;

import com.abiquo.aim.core.error.AimException;
import com.abiquo.aim.core.error.CoreErrorReason;
import com.abiquo.aim.core.error.GrpcErrors;
import com.abiquo.aim.libvirt.LibvirtErrorReason;
import com.abiquo.aim.libvirt.events.StreamEnd;
import com.abiquo.aim.libvirt.events.StreamItem;
import com.abiquo.aim.libvirt.events.SubscriberSink;
import io.grpc.Status;
import io.grpc.stub.ServerCallStreamObserver;
import java.util.Map;
import java.util.function.Function;

/** A subscription's gRPC stream: flow control through isReady(), ends mapped to statuses. */
final class GrpcSubscriberSink implements SubscriberSink {
    private final ServerCallStreamObserver<Object> observer;
    private final Function<StreamItem, Object> encoder;

    /** @param encoder an item's wire form: a SubscribeResponse, or its bytes where the call's marshaller takes them */
    GrpcSubscriberSink(ServerCallStreamObserver<Object> observer, Function<StreamItem, Object> encoder) {
        this.observer = requireNonNull(observer, "observer is null");
        this.encoder = requireNonNull(encoder, "encoder is null");
    }

    @Override
    public boolean isReady() {
        return observer.isReady();
    }

    @Override
    public void send(StreamItem item) {
        observer.onNext(encoder.apply(item));
    }

    @Override
    public void end(StreamEnd reason, String message, long resumeAfterSequence) {
        Map<String, String> resume = Map.of("resume_after_sequence", Long.toString(resumeAfterSequence));
        switch (reason) {
            case UNSUBSCRIBED -> observer.onCompleted();
            case OVERFLOW -> observer.onError(GrpcErrors.toStatusException(new AimException(
                    Status.Code.RESOURCE_EXHAUSTED, LibvirtErrorReason.SUBSCRIBER_TOO_SLOW, message, resume, null)));
            case SHUTDOWN -> observer.onError(GrpcErrors.toStatusException(new AimException(
                    Status.Code.UNAVAILABLE, CoreErrorReason.AGENT_STOPPING, message, resume, null)));
            case FAILED -> observer.onError(GrpcErrors.toStatusException(new AimException(
                    Status.Code.INTERNAL, LibvirtErrorReason.EVENT_SEND_FAILED, message, resume, null)));
            case CANCELLED -> {
                // The client is gone: nothing to send.
            }
        }
    }
}
