package com.abiquo.aim.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.abiquo.aim.core.config.AimSettings;
import com.abiquo.aim.core.config.ConfigException;
import io.grpc.TlsChannelCredentials;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * TLS files that no client could connect with are refused at --check-config and at start, naming the setting and
 * the file; the key formats openssl writes by default (PKCS#8, PKCS#1, SEC1 EC) all serve real handshakes. Every
 * file is made by the real openssl for this test.
 */
class TlsFilesTest {
    @TempDir
    static Path pkiFolder;

    private static Pki pki;
    private static Pki stranger;
    private static Path folder;

    @BeforeAll
    static void files() throws Exception {
        pki = Pki.create(pkiFolder.resolve("pki"), "AIM TLS files");
        stranger = Pki.create(pkiFolder.resolve("stranger"), "Stranger");
        folder = pki.ca.getParent();
        // PKCS#1, what "openssl genrsa" wrote before OpenSSL 3 and what -traditional writes
        Pki.openssl(folder, "pkey", "-in", "server.key", "-traditional", "-out", "server-pkcs1.key");
        // SEC1 EC key, what "openssl ecparam -genkey" writes (after an EC PARAMETERS block)
        Pki.openssl(folder, "ecparam", "-name", "prime256v1", "-genkey", "-out", "ec.key");
        Pki.openssl(folder, "req", "-new", "-key", "ec.key", "-subj", "/CN=localhost", "-out", "ec.csr");
        Pki.openssl(folder, "x509", "-req", "-in", "ec.csr", "-CA", "ca.crt", "-CAkey", "ca.key", "-CAcreateserial",
                "-days", "2", "-extfile", "server.ext", "-out", "ec.crt");
        Pki.openssl(folder, "pkey", "-in", "server.key", "-aes256", "-passout", "pass:secret", "-out",
                "encrypted.key");
        // certificates for the server's key with dates in the past and in the future: openssl ca sets both dates
        Files.writeString(folder.resolve("ca.cnf"), """
                [ca]
                default_ca = aim
                [aim]
                database = index.txt
                new_certs_dir = .
                serial = serial
                default_md = sha256
                policy = any
                unique_subject = no
                copy_extensions = copy
                [any]
                commonName = supplied
                """);
        Files.writeString(folder.resolve("index.txt"), "");
        Files.writeString(folder.resolve("serial"), "01\n");
        Pki.openssl(folder, "ca", "-batch", "-config", "ca.cnf", "-cert", "ca.crt", "-keyfile", "ca.key", "-in",
                "server.csr", "-out", "expired.crt", "-startdate", "20200101000000Z", "-enddate", "20200102000000Z",
                "-notext");
        Pki.openssl(folder, "ca", "-batch", "-config", "ca.cnf", "-cert", "ca.crt", "-keyfile", "ca.key", "-in",
                "server.csr", "-out", "future.crt", "-startdate", "20990101000000Z", "-enddate", "20990102000000Z",
                "-notext");
        Files.writeString(folder.resolve("garbage-ca.crt"), "this is not a certificate\n");
        assertTrue(Files.readString(folder.resolve("server-pkcs1.key")).startsWith("-----BEGIN RSA PRIVATE KEY-"));
        assertTrue(Files.readString(folder.resolve("ec.key")).contains("-----BEGIN EC PRIVATE KEY-"));
        assertTrue(Files.readString(pki.serverKey).startsWith("-----BEGIN PRIVATE KEY-"));
    }

    private static Path file(String name) {
        return folder.resolve(name);
    }

    private static String tlsLines(Path certificate, Path key, Path clientCa) {
        return "tlsCertificate = " + certificate + "\ntlsKey = " + key + "\n"
                + (clientCa == null ? "" : "tlsClientCa = " + clientCa + "\n");
    }

    @ParameterizedTest(name = "{0} key")
    @CsvSource({"PKCS#8, server.crt, server.key", "PKCS#1, server.crt, server-pkcs1.key", "EC, ec.crt, ec.key"})
    void theKeyFormatsOpensslWritesPassTheCheckAndServeRealHandshakes(String format, String certificate, String key,
            @TempDir Path work) throws Exception {
        Path config = SafeConfig.write(work, tlsLines(file(certificate), file(key), pki.ca));
        OriginalAimConfigTest.Outcome check = OriginalAimConfigTest.run("-c", config.toString(), "--check-config");
        assertEquals(0, check.status(), check.log());

        ServerSettings settings = new ServerSettings("127.0.0.1", 0, Optional.of(file(certificate)),
                Optional.of(file(key)), Optional.of(pki.ca), 2, true);
        AimServer server = new AimServer(settings, AimSettings.empty(), work, List.of(), 2, BuildInfo.load());
        server.start();
        try {
            assertEquals(BuildInfo.load().version(), TlsTest.agentVersion(server.port(),
                    TlsChannelCredentials.newBuilder().trustManager(pki.ca.toFile())
                            .keyManager(pki.clientCert.toFile(), pki.clientKey.toFile()).build()), format);
        } finally {
            server.stop();
        }
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', textBlock = """
            other key | server.crt | STRANGER | ca.crt | tlsKey | KEY | does not belong to the certificate
            expired | expired.crt | server.key | ca.crt | tlsCertificate | CERT | expired on 2020-01-02T00:00:00Z
            early | future.crt | server.key | ca.crt | tlsCertificate | CERT | not valid before 2099-01-01T00:00:00Z
            bad CA | server.crt | server.key | garbage-ca.crt | tlsClientCa | CA | one or more BEGIN CERTIFICATE blocks
            encrypted key | server.crt | encrypted.key | ca.crt | tlsKey | KEY | is encrypted with a pass phrase
            """)
    void filesNoClientCouldConnectWithAreRefusedNamingSettingAndFile(String what, String certificate, String key,
            String ca, String setting, String culprit, String reason) throws Exception {
        Path keyFile = "STRANGER".equals(key) ? stranger.serverKey : file(key);
        Path caFile = file(ca);
        Path culpritFile = switch (culprit) {
            case "KEY" -> keyFile;
            case "CERT" -> file(certificate);
            default -> caFile;
        };
        for (boolean checkOnly : new boolean[] {true, false}) {
            Path work = Files.createTempDirectory(pkiFolder, "work");
            Path config = SafeConfig.write(work, tlsLines(file(certificate), keyFile, caFile));
            OriginalAimConfigTest.Outcome outcome = checkOnly
                    ? OriginalAimConfigTest.run("-c", config.toString(), "--check-config")
                    : OriginalAimConfigTest.run("-c", config.toString(), "-t", "1");
            String expected = "configuration refused: " + config + ": [server] " + setting + " = \"" + culpritFile
                    + "\" is invalid: " + culpritFile + ": ";
            assertEquals(1, outcome.status(), what + ", check only " + checkOnly + ": " + outcome.log());
            assertTrue(outcome.log().contains(expected), what + ": wanted\n" + expected + "\nin\n" + outcome.log());
            assertTrue(outcome.log().contains(reason), what + ": wanted " + reason + " in\n" + outcome.log());
            assertFalse(outcome.log().contains("\tat "), "a configuration problem is no crash:\n" + outcome.log());
            assertFalse(outcome.log().contains("listening on"), outcome.log());
        }
    }

    @Test
    void everyBadTlsFileIsListedInOneRun(@TempDir Path work) throws Exception {
        Path config = SafeConfig.write(work, tlsLines(file("expired.crt"), file("encrypted.key"),
                file("garbage-ca.crt")));
        OriginalAimConfigTest.Outcome outcome = OriginalAimConfigTest.run("-c", config.toString(), "--check-config");
        assertEquals(1, outcome.status());
        for (String setting : List.of("tlsCertificate", "tlsKey", "tlsClientCa")) {
            assertTrue(outcome.log().contains("[server] " + setting + " = "), setting + ":\n" + outcome.log());
        }
        assertTrue(outcome.log().contains("3 problems"), outcome.log());
    }

    @Test
    void aKeyChangedAfterTheCheckIsRefusedAtStartNamingTheKeyAndNothingListens(@TempDir Path work) {
        ServerSettings settings = new ServerSettings("127.0.0.1", 0, Optional.of(pki.serverCert),
                Optional.of(stranger.serverKey), Optional.empty(), 2, true);
        AimServer server = new AimServer(settings, AimSettings.empty(), work, List.of(), 2, BuildInfo.load());
        try (LogCapture log = new LogCapture()) {
            ConfigException refused = assertThrows(ConfigException.class, server::start);
            assertTrue(refused.getMessage().startsWith("[server] tlsKey is invalid: " + stranger.serverKey
                    + ": this key does not belong to the certificate"), refused.getMessage());
            assertFalse(log.text().contains("listening on"), log.text());
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"ec.key", "server-pkcs1.key"})
    void aKeyOfAnotherAlgorithmOrFormatStillHasToMatch(String key, @TempDir Path work) throws Exception {
        // the EC key with the RSA certificate, the RSA key (PKCS#1) with the EC certificate
        Path certificate = key.startsWith("ec") ? pki.serverCert : file("ec.crt");
        Path config = SafeConfig.write(work, tlsLines(certificate, file(key), null));
        OriginalAimConfigTest.Outcome outcome = OriginalAimConfigTest.run("-c", config.toString(), "--check-config");
        assertEquals(1, outcome.status());
        assertTrue(outcome.log().contains("this key does not belong to the certificate"), outcome.log());
    }
}
