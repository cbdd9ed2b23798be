package com.abiquo.aim.server;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.grpc.ChannelCredentials;
import io.grpc.TlsChannelCredentials;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * A throw-away CA made with the real openssl that issues certificates of any shape: identities in URI SANs, DNS SANs
 * or the subject DN only, and expired ones.
 */
final class TestCa {
    private final Path folder;
    final Path certificate;

    private TestCa(Path folder) {
        this.folder = folder;
        this.certificate = folder.resolve("ca.crt");
    }

    /** A certificate and its key (PKCS#8). */
    record Issued(Path certificate, Path key) {
        /** Credentials of a client that presents this certificate and trusts {@code serverCa}. */
        ChannelCredentials client(TestCa serverCa) throws IOException {
            return TlsChannelCredentials.newBuilder().trustManager(serverCa.certificate.toFile())
                    .keyManager(certificate.toFile(), key.toFile()).build();
        }
    }

    static TestCa create(Path folder, String name) throws IOException, InterruptedException {
        Files.createDirectories(folder);
        TestCa ca = new TestCa(folder);
        ca.openssl("req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2", "-subj", "/CN=" + name + " CA",
                "-keyout", "ca.key", "-out", "ca.crt", "-addext", "basicConstraints=critical,CA:TRUE",
                "-addext", "keyUsage=critical,keyCertSign,cRLSign");
        return ca;
    }

    /** Credentials of a client that presents no certificate. */
    ChannelCredentials anonymousClient() throws IOException {
        return TlsChannelCredentials.newBuilder().trustManager(certificate.toFile()).build();
    }

    /** The server's certificate, for localhost and 127.0.0.1. */
    Issued server(String who) throws IOException, InterruptedException {
        return issue(who, "/CN=localhost", "DNS:localhost,IP:127.0.0.1", "serverAuth", 2);
    }

    /**
     * A client certificate. {@code subjectAltNames} as openssl writes them ("URI:spiffe://x, DNS:y"), empty for
     * none; {@code days} below zero gives one that has already expired.
     */
    Issued client(String who, String subject, String subjectAltNames, int days)
            throws IOException, InterruptedException {
        return issue(who, subject, subjectAltNames, "clientAuth", days);
    }

    private Issued issue(String who, String subject, String subjectAltNames, String usage, int days)
            throws IOException, InterruptedException {
        String extensions = "basicConstraints=CA:FALSE\nextendedKeyUsage=" + usage + "\n"
                + (subjectAltNames.isEmpty() ? "" : "subjectAltName=" + subjectAltNames + "\n");
        Files.writeString(folder.resolve(who + ".ext"), extensions);
        // genpkey writes PKCS#8, the key format Netty reads without BouncyCastle
        openssl("genpkey", "-algorithm", "RSA", "-pkeyopt", "rsa_keygen_bits:2048", "-out", who + ".key");
        openssl("req", "-new", "-key", who + ".key", "-subj", subject, "-out", who + ".csr");
        openssl("x509", "-req", "-in", who + ".csr", "-CA", "ca.crt", "-CAkey", "ca.key", "-CAcreateserial",
                "-days", String.valueOf(days), "-extfile", who + ".ext", "-out", who + ".crt");
        return new Issued(folder.resolve(who + ".crt"), folder.resolve(who + ".key"));
    }

    private void openssl(String... arguments) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>(List.of("openssl"));
        command.addAll(List.of(arguments));
        Tools.Result result = Tools.run(folder, command);
        assertEquals(0, result.exitCode(), "openssl failed: " + command + "\n" + result.output());
    }
}
