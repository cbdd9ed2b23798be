package com.abiquo.aim.storage.grpc;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import com.abiquo.aim.core.config.AimSettings;
import com.abiquo.aim.core.module.AimModule;
import com.abiquo.aim.core.module.ModuleContext;
import com.abiquo.aim.core.module.NodeIdentity;
import com.abiquo.aim.core.module.ServiceRegistry;
import com.abiquo.aim.testing.RecordingHealth;
import com.abiquo.aim.v1.LibvirtServiceGrpc;
import com.google.rpc.ErrorInfo;
import io.grpc.ManagedChannel;
import io.grpc.Server;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.inprocess.InProcessChannelBuilder;
import io.grpc.inprocess.InProcessServerBuilder;
import io.grpc.protobuf.StatusProto;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.ServiceLoader;
import java.util.UUID;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.function.Executable;

/**
 * The libvirt and storage modules found through ServiceLoader and started as aim-server starts them (the Libvirt
 * service reaches the storage module's pools through the registry), served in process and called through a real
 * stub. aim-libvirt is a test-only dependency: none of its classes is imported.
 */
final class ServedModules implements AutoCloseable {
    final LibvirtServiceGrpc.LibvirtServiceBlockingStub stub;
    private final List<AimModule> modules = new ArrayList<>();
    private final ExecutorService executor = Executors.newFixedThreadPool(2);
    private final ScheduledExecutorService scheduler = Executors.newSingleThreadScheduledExecutor();
    private final Server server;
    private final ManagedChannel channel;

    /** @param folder the agent's config folder (the initiator name file is looked for there) */
    ServedModules(String uri, Path folder) throws Exception {
        RecordingHealth health = new RecordingHealth();
        AimSettings settings = new AimSettings("aim.ini", Map.of("monitor", Map.of("uri", uri),
                "storage", Map.of("initiatorNameFile", folder.resolve("initiatorname.iscsi").toString())));
        ModuleContext context = new ModuleContext(settings, folder, executor, scheduler, health,
                new ServiceRegistry(), new NodeIdentity("node", "127.0.0.1"));
        ServiceLoader.load(AimModule.class).stream().map(ServiceLoader.Provider::get)
                .filter(module -> module.name().equals("libvirt") || module.name().equals("storage"))
                .sorted((first, second) -> Integer.compare(first.startOrder(), second.startOrder()))
                .forEach(modules::add);
        assertEquals(List.of("libvirt", "storage"), modules.stream().map(AimModule::name).toList());
        String name = "aimst-modules-" + UUID.randomUUID();
        InProcessServerBuilder builder = InProcessServerBuilder.forName(name).directExecutor();
        for (AimModule module : modules) {
            module.start(context);
            module.services().forEach(builder::addService);
        }
        server = builder.build().start();
        channel = InProcessChannelBuilder.forName(name).directExecutor().build();
        stub = LibvirtServiceGrpc.newBlockingStub(channel).withDeadlineAfter(60, TimeUnit.SECONDS);
    }

    @Override
    public void close() throws InterruptedException {
        channel.shutdownNow();
        server.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
        for (int i = modules.size() - 1; i >= 0; i--) {
            modules.get(i).stop();
        }
        executor.shutdownNow();
        scheduler.shutdownNow();
    }

    static StatusRuntimeException assertStatus(Status.Code code, String reason, Executable call) throws Exception {
        StatusRuntimeException failure = assertThrows(StatusRuntimeException.class, call);
        assertEquals(code, failure.getStatus().getCode(), failure.getStatus().toString());
        assertEquals(reason, errorInfo(failure).getReason(), failure.getStatus().toString());
        return failure;
    }

    static ErrorInfo errorInfo(StatusRuntimeException failure) throws Exception {
        com.google.rpc.Status status = StatusProto.fromThrowable(failure);
        for (com.google.protobuf.Any detail : status == null ? List.<com.google.protobuf.Any>of()
                : status.getDetailsList()) {
            if (detail.is(ErrorInfo.class)) {
                return detail.unpack(ErrorInfo.class);
            }
        }
        throw new AssertionError("no ErrorInfo in " + failure);
    }
}
