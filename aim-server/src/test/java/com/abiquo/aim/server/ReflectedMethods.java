package com.abiquo.aim.server;

import com.google.protobuf.DescriptorProtos.FileDescriptorProto;
import com.google.protobuf.DescriptorProtos.MethodDescriptorProto;
import com.google.protobuf.DescriptorProtos.ServiceDescriptorProto;
import io.grpc.Channel;
import io.grpc.MethodDescriptor.MethodType;
import io.grpc.reflection.v1.ServerReflectionGrpc;
import io.grpc.reflection.v1.ServerReflectionRequest;
import io.grpc.reflection.v1.ServerReflectionResponse;
import io.grpc.reflection.v1.ServiceResponse;
import io.grpc.stub.StreamObserver;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/** Every method a running server offers, as its reflection service describes them to any client. */
final class ReflectedMethods {
    record Method(String fullName, MethodType type) {
    }

    private ReflectedMethods() {
    }

    static List<Method> list(Channel channel) throws Exception {
        List<Method> methods = new ArrayList<>();
        for (String service : ask(channel, ServerReflectionRequest.newBuilder().setListServices("").build())
                .getListServicesResponse().getServiceList().stream().map(ServiceResponse::getName).toList()) {
            ServerReflectionResponse files = ask(channel,
                    ServerReflectionRequest.newBuilder().setFileContainingSymbol(service).build());
            for (com.google.protobuf.ByteString bytes : files.getFileDescriptorResponse().getFileDescriptorProtoList()) {
                FileDescriptorProto file = FileDescriptorProto.parseFrom(bytes);
                for (ServiceDescriptorProto described : file.getServiceList()) {
                    String name = file.getPackage().isEmpty() ? described.getName()
                            : file.getPackage() + "." + described.getName();
                    if (!name.equals(service)) {
                        continue;
                    }
                    for (MethodDescriptorProto method : described.getMethodList()) {
                        methods.add(new Method(name + "/" + method.getName(), type(method)));
                    }
                }
            }
        }
        return methods;
    }

    private static MethodType type(MethodDescriptorProto method) {
        if (method.getClientStreaming()) {
            return method.getServerStreaming() ? MethodType.BIDI_STREAMING : MethodType.CLIENT_STREAMING;
        }
        return method.getServerStreaming() ? MethodType.SERVER_STREAMING : MethodType.UNARY;
    }

    private static ServerReflectionResponse ask(Channel channel, ServerReflectionRequest request) throws Exception {
        LinkedBlockingQueue<ServerReflectionResponse> answers = new LinkedBlockingQueue<>();
        CompletableFuture<Void> done = new CompletableFuture<>();
        StreamObserver<ServerReflectionRequest> requests = ServerReflectionGrpc.newStub(channel)
                .withDeadlineAfter(10, TimeUnit.SECONDS)
                .serverReflectionInfo(new StreamObserver<>() {
                    @Override
                    public void onNext(ServerReflectionResponse value) {
                        answers.add(value);
                    }

                    @Override
                    public void onError(Throwable failure) {
                        done.completeExceptionally(failure);
                    }

                    @Override
                    public void onCompleted() {
                        done.complete(null);
                    }
                });
        requests.onNext(request);
        requests.onCompleted();
        done.get(15, TimeUnit.SECONDS);
        ServerReflectionResponse answer = answers.poll();
        if (answer == null || answer.hasErrorResponse()) {
            throw new AssertionError("reflection did not answer " + request + ": " + answer);
        }
        return answer;
    }
}
