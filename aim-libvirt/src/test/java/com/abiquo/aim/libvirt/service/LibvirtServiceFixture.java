package com.abiquo.aim.libvirt.service;

import com.abiquo.aim.core.spi.StoragePoolOperations;
import com.abiquo.aim.libvirt.connection.ConnectionSettings;
import com.abiquo.aim.libvirt.connection.LibvirtConnection;
import com.abiquo.aim.libvirt.domain.DomainOperations;
import com.abiquo.aim.libvirt.metrics.MetricsCollector;
import com.abiquo.aim.libvirt.metrics.MetricsStore;
import com.abiquo.aim.libvirt.node.NodeInfoReader;
import com.abiquo.aim.testing.RecordingHealth;
import com.abiquo.aim.v1.LibvirtServiceGrpc;
import com.google.rpc.ErrorInfo;
import io.grpc.ManagedChannel;
import io.grpc.Server;
import io.grpc.StatusRuntimeException;
import io.grpc.inprocess.InProcessChannelBuilder;
import io.grpc.inprocess.InProcessServerBuilder;
import io.grpc.protobuf.StatusProto;
import java.time.Clock;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;

/** The Libvirt service on a real connection, served in process and called through a real stub. */
final class LibvirtServiceFixture implements AutoCloseable {
    final RecordingHealth health = new RecordingHealth();
    final LibvirtConnection connection;
    final MetricsStore metrics = new MetricsStore(Duration.ofHours(1));
    final MetricsCollector collector;
    final AtomicReference<StoragePoolOperations> storage = new AtomicReference<>();
    final Server server;
    final ManagedChannel channel;
    final LibvirtServiceGrpc.LibvirtServiceBlockingStub stub;

    LibvirtServiceFixture(String uri) throws Exception {
        this(ConnectionSettings.of(uri));
    }

    LibvirtServiceFixture(ConnectionSettings settings) throws Exception {
        connection = new LibvirtConnection(settings, health);
        connection.start(Duration.ofSeconds(30));
        collector = new MetricsCollector(connection, metrics, Duration.ofSeconds(60), Duration.ofSeconds(30),
                Clock.systemUTC());
        String name = "aimtest-lv-" + System.nanoTime();
        server = InProcessServerBuilder.forName(name).directExecutor()
                .addService(new LibvirtGrpcService(new DomainOperations(connection), new NodeInfoReader(connection),
                        metrics, collector.collectEvery(), () -> Optional.ofNullable(storage.get())))
                .build().start();
        channel = InProcessChannelBuilder.forName(name).directExecutor().build();
        stub = LibvirtServiceGrpc.newBlockingStub(channel);
    }

    static ErrorInfo errorInfo(StatusRuntimeException failure) throws Exception {
        com.google.rpc.Status status = StatusProto.fromThrowable(failure);
        if (status == null) {
            throw new AssertionError("no status details in " + failure);
        }
        for (com.google.protobuf.Any detail : status.getDetailsList()) {
            if (detail.is(ErrorInfo.class)) {
                return detail.unpack(ErrorInfo.class);
            }
        }
        throw new AssertionError("no ErrorInfo in " + failure);
    }

    @Override
    public void close() throws Exception {
        channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
        server.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
        collector.close();
        connection.close();
    }
}
