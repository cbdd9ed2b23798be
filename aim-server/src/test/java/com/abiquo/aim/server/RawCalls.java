package com.abiquo.aim.server;

import io.grpc.CallOptions;
import io.grpc.Channel;
import io.grpc.ClientCall;
import io.grpc.Metadata;
import io.grpc.MethodDescriptor;
import io.grpc.Status;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * Calls any method by name with raw request bytes: an empty (default) request, the way a careless client would,
 * or any bytes a test built.
 */
final class RawCalls {
    private static final MethodDescriptor.Marshaller<byte[]> BYTES = new MethodDescriptor.Marshaller<>() {
        @Override
        public InputStream stream(byte[] value) {
            return new ByteArrayInputStream(value);
        }

        @Override
        public byte[] parse(InputStream stream) {
            try {
                return stream.readAllBytes();
            } catch (IOException failure) {
                throw new UncheckedIOException(failure);
            }
        }
    };

    private RawCalls() {
    }

    static Status callEmpty(Channel channel, String fullMethodName, MethodDescriptor.MethodType type,
            long deadlineMillis) throws Exception {
        MethodDescriptor<byte[], byte[]> method = MethodDescriptor.<byte[], byte[]>newBuilder()
                .setType(type)
                .setFullMethodName(fullMethodName)
                .setRequestMarshaller(BYTES)
                .setResponseMarshaller(BYTES)
                .build();
        ClientCall<byte[], byte[]> call = channel.newCall(method,
                CallOptions.DEFAULT.withDeadlineAfter(deadlineMillis, TimeUnit.MILLISECONDS));
        CompletableFuture<Status> closed = new CompletableFuture<>();
        call.start(new ClientCall.Listener<>() {
            @Override
            public void onClose(Status status, Metadata trailers) {
                closed.complete(status);
            }
        }, new Metadata());
        call.request(1000);
        if (type == MethodDescriptor.MethodType.UNARY || type == MethodDescriptor.MethodType.SERVER_STREAMING) {
            call.sendMessage(new byte[0]);
        }
        call.halfClose();
        return closed.get(deadlineMillis + 10_000, TimeUnit.MILLISECONDS);
    }

    /**
     * One call with raw request bytes. A stream that sends a first message accepted the request: it is cancelled
     * there (an event subscription would never end).
     */
    static Status callOnce(Channel channel, String fullMethodName, MethodDescriptor.MethodType type, byte[] request)
            throws Exception {
        MethodDescriptor<byte[], byte[]> method = MethodDescriptor.<byte[], byte[]>newBuilder()
                .setType(type)
                .setFullMethodName(fullMethodName)
                .setRequestMarshaller(BYTES)
                .setResponseMarshaller(BYTES)
                .build();
        ClientCall<byte[], byte[]> call = channel.newCall(method,
                CallOptions.DEFAULT.withDeadlineAfter(20, TimeUnit.SECONDS));
        CompletableFuture<Status> closed = new CompletableFuture<>();
        boolean streaming = type == MethodDescriptor.MethodType.SERVER_STREAMING
                || type == MethodDescriptor.MethodType.BIDI_STREAMING;
        call.start(new ClientCall.Listener<>() {
            @Override
            public void onMessage(byte[] message) {
                if (streaming && closed.complete(Status.OK.withDescription("first message of the stream"))) {
                    call.cancel("accepted: enough", null);
                }
            }

            @Override
            public void onClose(Status status, Metadata trailers) {
                closed.complete(status);
            }
        }, new Metadata());
        call.request(1);
        call.sendMessage(request);
        call.halfClose();
        return closed.get(30, TimeUnit.SECONDS);
    }
}
