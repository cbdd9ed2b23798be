package com.abiquo.aim.server;

import com.abiquo.aim.core.config.ConfigException;
import com.abiquo.aim.core.config.ConfigKey;
import com.abiquo.aim.core.config.ConfigSchema;
import com.abiquo.aim.core.module.AimModule;
import com.abiquo.aim.core.module.ModuleContext;
import io.grpc.BindableService;
import io.grpc.MethodDescriptor;
import io.grpc.ServerServiceDefinition;
import io.grpc.Status;
import io.grpc.stub.ServerCalls;
import io.grpc.stub.StreamObserver;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;

/**
 * A module written the way the contract asks (config section, health, a stream it ends on stop), used to check
 * what the server does with modules. Not registered with ServiceLoader: tests hand it to AimServer.
 */
final class ProbeModule implements AimModule {
    static final String SERVICE = "aim.test.ProbeService";

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

    static final MethodDescriptor<byte[], byte[]> WATCH = MethodDescriptor.<byte[], byte[]>newBuilder()
            .setType(MethodDescriptor.MethodType.SERVER_STREAMING)
            .setFullMethodName(SERVICE + "/Watch")
            .setRequestMarshaller(BYTES)
            .setResponseMarshaller(BYTES)
            .build();

    static final MethodDescriptor<byte[], byte[]> BLOCK = WATCH.toBuilder()
            .setType(MethodDescriptor.MethodType.UNARY)
            .setFullMethodName(SERVICE + "/Block")
            .build();

    /** A cheap read: answers at once with an empty message (a Get* name, so the server counts it as a read). */
    static final MethodDescriptor<byte[], byte[]> GET_VALUE = BLOCK.toBuilder()
            .setFullMethodName(SERVICE + "/GetValue")
            .build();

    /** A read that waits like Block (a Get* name: the server counts it as a read). */
    static final MethodDescriptor<byte[], byte[]> GET_HELD = BLOCK.toBuilder()
            .setFullMethodName(SERVICE + "/GetHeld")
            .build();

    /** Block and GetHeld calls wait on this: a slow call that holds a request thread. */
    final CountDownLatch release = new CountDownLatch(1);
    final CountDownLatch blocking = new CountDownLatch(1);
    volatile String blockingThread = "";
    /** How many Block calls have started running. */
    final java.util.concurrent.atomic.AtomicInteger blocked = new java.util.concurrent.atomic.AtomicInteger();

    private final String name;
    private final String serviceName;
    private final List<StreamObserver<byte[]>> watchers = new CopyOnWriteArrayList<>();
    final CountDownLatch watching = new CountDownLatch(1);
    volatile boolean dependencyUp;
    volatile int count;
    volatile boolean stopped;
    /** When false, stop() leaves streams open, like a module that forgets them: the server must cancel them. */
    volatile boolean endStreamsOnStop = true;

    ProbeModule() {
        this("probe", SERVICE);
    }

    ProbeModule(String name, String serviceName) {
        this.name = name;
        this.serviceName = serviceName;
    }

    @Override
    public String name() {
        return name;
    }

    @Override
    public ConfigSchema configSchema() {
        return new ConfigSchema().section(name,
                new ConfigKey("dependencyUp", "false", "whether the probe's dependency is up"),
                new ConfigKey("count", "1", "a number from 1 to 10"));
    }

    @Override
    public void start(ModuleContext context) throws ConfigException {
        dependencyUp = context.settings().bool(name, "dependencyUp", false);
        count = context.settings().integer(name, "count", 1, 1, 10);
        if (!dependencyUp) {
            context.health().notServing(serviceName, "the probe's dependency is down");
        }
    }

    @Override
    public List<BindableService> services() {
        MethodDescriptor<byte[], byte[]> watch = WATCH.toBuilder()
                .setFullMethodName(serviceName + "/Watch").build();
        MethodDescriptor<byte[], byte[]> block = BLOCK.toBuilder()
                .setFullMethodName(serviceName + "/Block").build();
        MethodDescriptor<byte[], byte[]> getValue = GET_VALUE.toBuilder()
                .setFullMethodName(serviceName + "/GetValue").build();
        MethodDescriptor<byte[], byte[]> getHeld = GET_HELD.toBuilder()
                .setFullMethodName(serviceName + "/GetHeld").build();
        ServerServiceDefinition definition = ServerServiceDefinition.builder(serviceName)
                .addMethod(getValue, ServerCalls.asyncUnaryCall((request, observer) -> {
                    observer.onNext(new byte[0]);
                    observer.onCompleted();
                }))
                .addMethod(watch, ServerCalls.asyncServerStreamingCall((request, observer) -> {
                    watchers.add(observer);
                    observer.onNext(new byte[0]);
                    watching.countDown();
                }))
                .addMethod(block, ServerCalls.asyncUnaryCall(this::hold))
                .addMethod(getHeld, ServerCalls.asyncUnaryCall(this::hold))
                .build();
        return List.of(() -> definition);
    }

    private void hold(byte[] request, StreamObserver<byte[]> observer) {
        blockingThread = Thread.currentThread().getName();
        blocked.incrementAndGet();
        blocking.countDown();
        try {
            release.await();
        } catch (InterruptedException interrupted) {
            Thread.currentThread().interrupt();
        }
        observer.onNext(new byte[0]);
        observer.onCompleted();
    }

    @Override
    public void stop() {
        stopped = true;
        if (!endStreamsOnStop) {
            return;
        }
        for (StreamObserver<byte[]> watcher : watchers) {
            watcher.onError(Status.UNAVAILABLE.withDescription("AIM is shutting down").asRuntimeException());
        }
        watchers.clear();
    }
}
