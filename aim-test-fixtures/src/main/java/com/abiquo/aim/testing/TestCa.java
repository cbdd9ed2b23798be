package com.abiquo.aim.testing;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A throw-away CA made with the real openssl that issues certificates of any shape: servers' for localhost and
 * 127.0.0.1, clients' with identities in URI SANs, DNS SANs or the subject DN only, and expired ones. Keys are
 * PKCS#8, the format Netty reads without BouncyCastle (and redis-server reads too).
 */
public final class TestCa {
    private final Path folder;
    private final Path certificate;

    private TestCa(Path folder) {
        this.folder = folder;
        this.certificate = folder.resolve("ca.crt");
    }

    /** A certificate and its key (PKCS#8), both PEM files. */
    public record Issued(Path certificate, Path key) {
    }

    /** A new CA in {@code folder} (made if missing), named "{@code name} CA". */
    public static TestCa create(Path folder, String name) throws IOException, InterruptedException {
        Files.createDirectories(folder);
        TestCa ca = new TestCa(folder);
        ca.openssl("req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2", "-subj", "/CN=" + name + " CA",
                "-keyout", "ca.key", "-out", "ca.crt", "-addext", "basicConstraints=critical,CA:TRUE",
                "-addext", "keyUsage=critical,keyCertSign,cRLSign");
        return ca;
    }

    /** The CA's own certificate (PEM): what a peer trusts. */
    public Path certificate() {
        return certificate;
    }

    /** A server's certificate, for localhost and 127.0.0.1. */
    public Issued server(String who) throws IOException, InterruptedException {
        return issue(who, "/CN=localhost", "DNS:localhost,IP:127.0.0.1", "serverAuth", 2);
    }

    /**
     * A client certificate. {@code subjectAltNames} as openssl writes them ("URI:spiffe://x, DNS:y"), empty for
     * none; {@code days} below zero gives one that has already expired.
     */
    public Issued client(String who, String subject, String subjectAltNames, int days)
            throws IOException, InterruptedException {
        return issue(who, subject, subjectAltNames, "clientAuth", days);
    }

    private Issued issue(String who, String subject, String subjectAltNames, String usage, int days)
            throws IOException, InterruptedException {
        String extensions = "basicConstraints=CA:FALSE\nextendedKeyUsage=" + usage + "\n"
                + (subjectAltNames.isEmpty() ? "" : "subjectAltName=" + subjectAltNames + "\n");
        Files.writeString(folder.resolve(who + ".ext"), extensions);
        openssl("genpkey", "-algorithm", "RSA", "-pkeyopt", "rsa_keygen_bits:2048", "-out", who + ".key");
        openssl("req", "-new", "-key", who + ".key", "-subj", subject, "-out", who + ".csr");
        openssl("x509", "-req", "-in", who + ".csr", "-CA", "ca.crt", "-CAkey", "ca.key", "-CAcreateserial",
                "-days", String.valueOf(days), "-extfile", who + ".ext", "-out", who + ".crt");
        return new Issued(folder.resolve(who + ".crt"), folder.resolve(who + ".key"));
    }

    private void openssl(String... arguments) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>(List.of("openssl"));
        command.addAll(List.of(arguments));
        Path output = folder.resolve("openssl.log");
        Process openssl = new ProcessBuilder(command).directory(folder.toFile()).redirectErrorStream(true)
                .redirectOutput(output.toFile()).start();
        if (!openssl.waitFor(60, TimeUnit.SECONDS)) {
            openssl.destroyForcibly();
            throw new IOException("openssl did not finish within 60 s: " + command);
        }
        if (openssl.exitValue() != 0) {
            throw new IOException("openssl failed: " + command + "\n" + Files.readString(output));
        }
    }
}
