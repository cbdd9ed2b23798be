package com.abiquo.aim.server;

import static java.util.Objects.requireNonNull;

import com.abiquo.aim.core.config.AimSettings;
import com.abiquo.aim.core.config.ConfigException;
import com.abiquo.aim.core.config.ConfigKey;
import com.abiquo.aim.core.config.ConfigSchema;
import com.abiquo.aim.server.tls.TlsFileException;
import com.abiquo.aim.server.tls.TlsFiles;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.PrivateKey;
import java.security.cert.X509Certificate;
import java.util.Date;
import java.util.List;
import java.util.Optional;

/**
 * The {@code [server]} section: where to listen, TLS, and how long a graceful shutdown may take.
 *
 * @param address IP address or host name to bind; 0.0.0.0 (or ::) listens on every interface
 * @param port TCP port; 0 picks a free one (tests)
 * @param tlsCertificate PEM certificate chain; with tlsKey turns TLS on
 * @param tlsKey PEM private key (RSA or EC: PKCS#8, PKCS#1 or SEC1) of the certificate
 * @param tlsClientCa PEM CA bundle; when set, clients must present a certificate it signed (mutual TLS)
 * @param shutdownGraceSeconds how long running calls may take to finish after SIGTERM
 * @param reflection whether gRPC server reflection is served (grpcurl, buf curl)
 */
public record ServerSettings(
        String address,
        int port,
        Optional<Path> tlsCertificate,
        Optional<Path> tlsKey,
        Optional<Path> tlsClientCa,
        int shutdownGraceSeconds,
        boolean reflection) {
    /** The calls' grace plus the modules' own stop must fit in the systemd unit's TimeoutStopSec (60 s). */
    static final int MAX_GRACE_SECONDS = 45;

    public static final String SECTION = "server";
    public static final int DEFAULT_PORT = 60606;

    public ServerSettings {
        requireNonNull(address, "address is null");
        requireNonNull(tlsCertificate, "tlsCertificate is null");
        requireNonNull(tlsKey, "tlsKey is null");
        requireNonNull(tlsClientCa, "tlsClientCa is null");
    }

    public static ConfigSchema schema() {
        return new ConfigSchema().section(SECTION,
                new ConfigKey("address", "0.0.0.0",
                        "IP address (or host name) to listen on; 0.0.0.0 = every interface, 127.0.0.1 = this host only"),
                new ConfigKey("port", String.valueOf(DEFAULT_PORT), "TCP port of the gRPC server"),
                new ConfigKey("tlsCertificate", "",
                        "PEM certificate (chain) of this node; set with tlsKey to serve TLS only"),
                new ConfigKey("tlsKey", "", "unencrypted PEM private key (RSA or EC; PKCS#8, PKCS#1 or SEC1 as openssl "
                        + "writes them) of tlsCertificate"),
                new ConfigKey("tlsClientCa", "",
                        "PEM CA bundle; when set, every client must present a certificate signed by it (mutual TLS)"),
                new ConfigKey("shutdownGraceSeconds", "10",
                        "on SIGTERM/SIGINT, seconds running calls get to finish before they are cancelled (at most "
                                + MAX_GRACE_SECONDS + ": the systemd unit gives a whole stop 60 s before SIGKILL)"),
                new ConfigKey("reflection", "true",
                        "serve gRPC server reflection (v1 and v1alpha) so grpcurl and buf curl can list services"),
                ConfigKey.obsolete("daemonize", "the -d option (or systemd's abiquo-aim.service) runs AIM in the "
                        + "background"));
    }

    public static ServerSettings from(AimSettings settings, Path configFolder) throws ConfigException {
        String address = settings.listenAddress(SECTION, "address", "0.0.0.0");
        int port = settings.integer(SECTION, "port", DEFAULT_PORT, 0, 65535);
        Optional<Path> certificate = readableFile(settings, "tlsCertificate", configFolder);
        Optional<Path> key = readableFile(settings, "tlsKey", configFolder);
        Optional<Path> clientCa = readableFile(settings, "tlsClientCa", configFolder);
        // each file on its own before the pair: ConfigProblems then finds a bad value in each of them in one run
        Optional<List<X509Certificate>> chain = tlsFile(settings, "tlsCertificate", certificate,
                file -> TlsFiles.certificateChain(file, new Date()));
        Optional<PrivateKey> privateKey = tlsFile(settings, "tlsKey", key, TlsFiles::privateKey);
        tlsFile(settings, "tlsClientCa", clientCa, TlsFiles::caBundle);
        if (certificate.isPresent() != key.isPresent()) {
            String missing = certificate.isPresent() ? "tlsKey" : "tlsCertificate";
            throw new ConfigException(settings.source() + ": [" + SECTION + "] tlsCertificate and tlsKey go together: "
                    + missing + " is missing");
        }
        if (clientCa.isPresent() && certificate.isEmpty()) {
            throw new ConfigException(settings.source() + ": [" + SECTION
                    + "] tlsClientCa (mutual TLS) needs tlsCertificate and tlsKey too");
        }
        if (chain.isPresent() && privateKey.isPresent()) {
            tlsFile(settings, "tlsKey", key, file -> {
                TlsFiles.checkPair(chain.get(), certificate.get(), privateKey.get(), file);
                return file;
            });
        }
        int grace = settings.integer(SECTION, "shutdownGraceSeconds", 10, 0, MAX_GRACE_SECONDS);
        boolean reflection = settings.bool(SECTION, "reflection", true);
        return new ServerSettings(address, port, certificate, key, clientCa, grace, reflection);
    }

    public boolean tls() {
        return tlsCertificate.isPresent();
    }

    public boolean mutualTls() {
        return tlsClientCa.isPresent();
    }

    private interface TlsFileReader<T> {
        T read(Path file) throws TlsFileException;
    }

    /** Reads a TLS file as the handshake will; a refusal names the setting, its value and the file. */
    private static <T> Optional<T> tlsFile(AimSettings settings, String key, Optional<Path> file,
            TlsFileReader<T> reader) throws ConfigException {
        if (file.isEmpty()) {
            return Optional.empty();
        }
        try {
            return Optional.of(reader.read(file.get()));
        } catch (TlsFileException refused) {
            throw settings.error(SECTION, key, settings.string(SECTION, key, ""), refused.getMessage());
        }
    }

    private static Optional<Path> readableFile(AimSettings settings, String key, Path configFolder)
            throws ConfigException {
        Optional<Path> path = settings.path(SECTION, key, configFolder);
        if (path.isPresent() && !(Files.isRegularFile(path.get()) && Files.isReadable(path.get()))) {
            throw settings.error(SECTION, key, settings.string(SECTION, key, ""),
                    "a readable PEM file; " + path.get() + " does not exist or cannot be read");
        }
        return path;
    }
}
