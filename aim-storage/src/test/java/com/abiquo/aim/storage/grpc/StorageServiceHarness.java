package com.abiquo.aim.storage.grpc;

import com.abiquo.aim.core.command.CommandRunner;
import com.abiquo.aim.core.iscsi.InitiatorName;
import com.abiquo.aim.core.spi.StoragePoolOperations;
import com.abiquo.aim.storage.fixture.ModulePools;
import com.abiquo.aim.storage.iscsi.IscsiTargets;
import com.abiquo.aim.storage.iscsi.KernelInitiator;
import com.abiquo.aim.storage.iscsi.LibvirtPools;
import com.abiquo.aim.storage.iscsi.TargetRescanner;
import com.abiquo.aim.v1.StorageServiceGrpc;
import io.grpc.ManagedChannel;
import io.grpc.Server;
import io.grpc.inprocess.InProcessChannelBuilder;
import io.grpc.inprocess.InProcessServerBuilder;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/**
 * The Storage service over an in-process channel, wired as StorageModule wires it: with the libvirt module's pools
 * (on qemu:///system) or without any (no libvirt module loaded).
 */
final class StorageServiceHarness implements AutoCloseable {
    /** The pools the service uses; null without libvirt. */
    final StoragePoolOperations pools;
    final StorageServiceGrpc.StorageServiceBlockingStub stub;
    private final Optional<ModulePools> libvirt;
    private final Server server;
    private final ManagedChannel channel;

    StorageServiceHarness(boolean withLibvirt, Path initiatorNameFile, Path sysfs) throws Exception {
        this(withLibvirt, initiatorNameFile, sysfs, Duration.ofSeconds(20));
    }

    StorageServiceHarness(boolean withLibvirt, Path initiatorNameFile, Path sysfs, Duration timeout)
            throws Exception {
        InitiatorName name = new InitiatorName(initiatorNameFile);
        libvirt = withLibvirt ? Optional.of(new ModulePools(initiatorNameFile, timeout)) : Optional.empty();
        pools = libvirt.map(ModulePools::pools).orElse(null);
        LibvirtPools published = new LibvirtPools(libvirt.map(ModulePools::published).orElse(Optional::empty));
        CommandRunner commands = new CommandRunner();
        KernelInitiator kernel = new KernelInitiator(commands, timeout, sysfs);
        StorageGrpcService service = new StorageGrpcService(name, new TargetRescanner(kernel, published),
                new IscsiTargets(published, kernel, commands, name, timeout), published);
        String serverName = InProcessServerBuilder.generateName();
        server = InProcessServerBuilder.forName(serverName).directExecutor().addService(service).build().start();
        channel = InProcessChannelBuilder.forName(serverName).directExecutor().build();
        stub = StorageServiceGrpc.newBlockingStub(channel);
    }

    @Override
    public void close() throws InterruptedException {
        channel.shutdownNow();
        server.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
        libvirt.ifPresent(ModulePools::close);
    }
}
