package com.abiquo.aim.storage.grpc;

import com.abiquo.aim.core.command.CommandRunner;
import com.abiquo.aim.storage.fixture.TestLibvirtAccess;
import com.abiquo.aim.storage.iscsi.InitiatorName;
import com.abiquo.aim.storage.iscsi.IscsiTargets;
import com.abiquo.aim.storage.iscsi.KernelInitiator;
import com.abiquo.aim.storage.iscsi.TargetRescanner;
import com.abiquo.aim.storage.pool.LibvirtStoragePools;
import com.abiquo.aim.v1.StorageServiceGrpc;
import io.grpc.ManagedChannel;
import io.grpc.Server;
import io.grpc.inprocess.InProcessChannelBuilder;
import io.grpc.inprocess.InProcessServerBuilder;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/** The Storage service over an in-process channel, wired as StorageModule wires it, with a given libvirt. */
final class StorageServiceHarness implements AutoCloseable {
    final LibvirtStoragePools pools;
    final StorageServiceGrpc.StorageServiceBlockingStub stub;
    private final Server server;
    private final ManagedChannel channel;

    StorageServiceHarness(Optional<TestLibvirtAccess> libvirt, Path initiatorNameFile, Path sysfs) throws Exception {
        this(libvirt, initiatorNameFile, sysfs, Duration.ofSeconds(20));
    }

    StorageServiceHarness(Optional<TestLibvirtAccess> libvirt, Path initiatorNameFile, Path sysfs, Duration timeout)
            throws Exception {
        InitiatorName name = new InitiatorName(initiatorNameFile);
        pools = new LibvirtStoragePools(() -> libvirt.map(access -> access), timeout, name);
        CommandRunner commands = new CommandRunner();
        KernelInitiator kernel = new KernelInitiator(commands, timeout, sysfs);
        StorageGrpcService service = new StorageGrpcService(name, new TargetRescanner(kernel, pools),
                new IscsiTargets(pools, kernel, commands, name, timeout), pools);
        String serverName = InProcessServerBuilder.generateName();
        server = InProcessServerBuilder.forName(serverName).directExecutor().addService(service).build().start();
        channel = InProcessChannelBuilder.forName(serverName).directExecutor().build();
        stub = StorageServiceGrpc.newBlockingStub(channel);
    }

    @Override
    public void close() throws InterruptedException {
        channel.shutdownNow();
        server.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
        pools.close();
    }
}
