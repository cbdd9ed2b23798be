package com.abiquo.aim.server;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/** A throw-away CA with a server and a client certificate, made with the real openssl. */
final class Pki {
    final Path ca;
    final Path serverCert;
    final Path serverKey;
    final Path clientCert;
    final Path clientKey;

    private Pki(Path folder) {
        ca = folder.resolve("ca.crt");
        serverCert = folder.resolve("server.crt");
        serverKey = folder.resolve("server.key");
        clientCert = folder.resolve("client.crt");
        clientKey = folder.resolve("client.key");
    }

    static Pki create(Path folder, String name) throws IOException, InterruptedException {
        Files.createDirectories(folder);
        Pki pki = new Pki(folder);
        openssl(folder, "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2", "-subj", "/CN=" + name + " CA",
                "-keyout", "ca.key", "-out", "ca.crt",
                "-addext", "basicConstraints=critical,CA:TRUE", "-addext", "keyUsage=critical,keyCertSign,cRLSign");
        issue(folder, "server", "localhost", "subjectAltName=DNS:localhost,IP:127.0.0.1\nextendedKeyUsage=serverAuth\n");
        issue(folder, "client", "controller", "extendedKeyUsage=clientAuth\n");
        return pki;
    }

    private static void issue(Path folder, String who, String commonName, String extensions)
            throws IOException, InterruptedException {
        Files.writeString(folder.resolve(who + ".ext"), "basicConstraints=CA:FALSE\n" + extensions);
        // genpkey writes PKCS#8, the key format Netty reads without BouncyCastle
        openssl(folder, "genpkey", "-algorithm", "RSA", "-pkeyopt", "rsa_keygen_bits:2048", "-out", who + ".key");
        openssl(folder, "req", "-new", "-key", who + ".key", "-subj", "/CN=" + commonName, "-out", who + ".csr");
        openssl(folder, "x509", "-req", "-in", who + ".csr", "-CA", "ca.crt", "-CAkey", "ca.key", "-CAcreateserial",
                "-days", "2", "-extfile", who + ".ext", "-out", who + ".crt");
    }

    static void openssl(Path folder, String... arguments) throws IOException, InterruptedException {
        List<String> command = new java.util.ArrayList<>(List.of("openssl"));
        command.addAll(List.of(arguments));
        Tools.Result result = Tools.run(folder, command);
        assertEquals(0, result.exitCode(), "openssl failed: " + command + "\n" + result.output());
    }
}
