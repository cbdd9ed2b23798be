package com.abiquo.aim.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.abiquo.aim.core.config.AimSettings;
import com.abiquo.aim.core.config.AimSettingsReader;
import com.abiquo.aim.v1.DefineDomainRequest;
import com.abiquo.aim.v1.DomainRef;
import com.abiquo.aim.v1.GetDomainInfoRequest;
import com.abiquo.aim.v1.LibvirtServiceGrpc;
import com.google.rpc.ErrorInfo;
import io.grpc.Grpc;
import io.grpc.InsecureChannelCredentials;
import io.grpc.ManagedChannel;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.protobuf.StatusProto;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** [limits] message sizes per method over the real server: large messages only for DefineDomain and Upload. */
class MessageSizeLimitsTest {
    @TempDir
    Path folder;

    @Test
    void onlyTheLargeMethodsTakeLargeMessages() throws Exception {
        Path file = SafeConfig.write(folder, "");
        Files.writeString(file, Files.readString(file)
                + "\n[limits]\nmaxMessageBytes = 4096\nmaxLargeMessageBytes = 65536\n");
        AimSettings settings = AimSettingsReader.read(file);
        ConfigValidator.validate(settings, ModuleLoader.schema(ModuleLoader.load()));
        AimServer server = new AimServer(ServerSettings.from(settings, folder), settings, folder,
                ModuleLoader.load(), 2, BuildInfo.load());
        server.start();
        ManagedChannel channel = Grpc.newChannelBuilderForAddress("127.0.0.1", server.port(),
                InsecureChannelCredentials.create()).build();
        try {
            LibvirtServiceGrpc.LibvirtServiceBlockingStub libvirt = LibvirtServiceGrpc.newBlockingStub(channel)
                    .withDeadlineAfter(30, TimeUnit.SECONDS);
            StatusRuntimeException tooLarge = assertThrows(StatusRuntimeException.class, () -> libvirt.getDomainInfo(
                    GetDomainInfoRequest.newBuilder().setDomain(DomainRef.newBuilder().setName("x".repeat(8000)))
                            .build()));
            assertEquals(Status.Code.RESOURCE_EXHAUSTED, tooLarge.getStatus().getCode(), tooLarge.toString());
            assertTrue(tooLarge.getStatus().getDescription().contains("GetDomainInfo")
                    && tooLarge.getStatus().getDescription().contains("at most 4096"), tooLarge.toString());
            assertEquals("MESSAGE_TOO_LARGE", StatusProto.fromThrowable(tooLarge).getDetails(0)
                    .unpack(ErrorInfo.class).getReason());

            // 30 KB of domain XML: over maxMessageBytes, under maxLargeMessageBytes, so libvirt judges it
            String xml = "<domain type='test'><name>big</name><description>" + "d".repeat(30_000)
                    + "</description>";
            StatusRuntimeException judged = assertThrows(StatusRuntimeException.class, () -> libvirt.defineDomain(
                    DefineDomainRequest.newBuilder().setXml(xml).build()));
            assertNotEquals(Status.Code.RESOURCE_EXHAUSTED, judged.getStatus().getCode(), judged.toString());

            StatusRuntimeException transport = assertThrows(StatusRuntimeException.class, () -> libvirt
                    .defineDomain(DefineDomainRequest.newBuilder().setXml("d".repeat(100_000)).build()));
            assertEquals(Status.Code.RESOURCE_EXHAUSTED, transport.getStatus().getCode(), transport.toString());
            // the server goes on serving
            assertThrows(StatusRuntimeException.class, () -> libvirt.getDomainInfo(GetDomainInfoRequest.newBuilder()
                    .setDomain(DomainRef.newBuilder().setName("absent")).build()));
        } finally {
            channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
            server.stop();
        }
    }
}
