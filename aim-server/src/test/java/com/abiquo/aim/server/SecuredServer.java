package com.abiquo.aim.server;

import com.abiquo.aim.testing.TestCa;
import com.abiquo.aim.core.config.AimSettings;
import com.abiquo.aim.core.config.AimSettingsReader;
import com.abiquo.aim.core.module.AimModule;
import io.grpc.ChannelCredentials;
import io.grpc.Grpc;
import io.grpc.ManagedChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * The whole server (every module, SafeConfig) over real Netty with mutual TLS: the node's certificate from a CA
 * made by openssl for the test, that CA as tlsClientCa, and the given [authorization] lines.
 */
final class SecuredServer implements AutoCloseable {
    final TestCa ca;
    final Path config;
    final AimServer server;

    private SecuredServer(TestCa ca, Path config, AimServer server) {
        this.ca = ca;
        this.config = config;
        this.server = server;
    }

    static SecuredServer start(Path folder, TestCa ca, String authorization) throws Exception {
        TestCa.Issued node = ca.server("node");
        Path file = SafeConfig.write(folder, "tlsCertificate = " + node.certificate() + "\ntlsKey = " + node.key()
                + "\ntlsClientCa = " + ca.certificate() + "\n");
        Files.writeString(file, Files.readString(file) + "\n[authorization]\n" + authorization);
        AimSettings settings = AimSettingsReader.read(file);
        List<AimModule> modules = ModuleLoader.load();
        ConfigValidator.validate(settings, ModuleLoader.schema(modules));
        AimServer server = new AimServer(ServerSettings.from(settings, folder), settings, folder, modules, 4,
                BuildInfo.load());
        server.start();
        return new SecuredServer(ca, file, server);
    }

    ManagedChannel channel(ChannelCredentials credentials) {
        return Grpc.newChannelBuilderForAddress("localhost", server.port(), credentials).build();
    }

    ManagedChannel channel(TestCa.Issued client) throws Exception {
        return channel(TlsClients.presenting(client, ca));
    }

    static void close(ManagedChannel channel) throws InterruptedException {
        channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
    }

    @Override
    public void close() {
        server.stop();
    }
}
