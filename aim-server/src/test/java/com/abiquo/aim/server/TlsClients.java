package com.abiquo.aim.server;

import com.abiquo.aim.testing.TestCa;
import io.grpc.ChannelCredentials;
import io.grpc.TlsChannelCredentials;
import java.io.IOException;

/** gRPC client credentials from {@link TestCa}'s certificates. */
final class TlsClients {
    private TlsClients() {
    }

    /** A client that presents {@code client}'s certificate and trusts servers signed by {@code serverCa}. */
    static ChannelCredentials presenting(TestCa.Issued client, TestCa serverCa) throws IOException {
        return TlsChannelCredentials.newBuilder().trustManager(serverCa.certificate().toFile())
                .keyManager(client.certificate().toFile(), client.key().toFile()).build();
    }

    /** A client that presents no certificate and trusts servers signed by {@code serverCa}. */
    static ChannelCredentials anonymous(TestCa serverCa) throws IOException {
        return TlsChannelCredentials.newBuilder().trustManager(serverCa.certificate().toFile()).build();
    }
}
