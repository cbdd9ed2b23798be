package com.abiquo.aim.server.security;

import static java.util.Objects.requireNonNull;

import com.abiquo.aim.core.config.ConfigException;
import com.abiquo.aim.server.ServerSettings;
import com.abiquo.aim.server.tls.TlsFileException;
import com.abiquo.aim.server.tls.TlsFiles;
import io.grpc.ServerCredentials;
import io.grpc.TlsServerCredentials;
import io.grpc.util.AdvancedTlsX509KeyManager;
import io.grpc.util.AdvancedTlsX509TrustManager;
import java.io.IOException;
import java.net.Socket;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.PrivateKey;
import java.security.cert.CertificateException;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.Date;
import java.util.List;
import java.util.Optional;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.X509ExtendedTrustManager;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.Logger;

/**
 * The server's TLS key material, reloadable from its files while AIM runs: the certificate and key it presents and
 * the CA its clients' certificates must chain to. A reload changes what new handshakes use; connections already
 * open (and their calls and streams) keep the session they negotiated. A file that fails to load leaves the old
 * material in place.
 */
public final class ReloadableTls {
    private static final Logger LOG = LogManager.getLogger(ReloadableTls.class);

    private final Path certificate;
    private final Path key;
    private final Optional<Path> clientCa;
    private final AdvancedTlsX509KeyManager keyManager = new AdvancedTlsX509KeyManager();
    private final AdvancedTlsX509TrustManager trustManager;

    /**
     * Loads every file once, as the handshakes will use them. A file that cannot be used fails start-up with a
     * ConfigException naming the [server] setting and the file ("[server] tlsKey is invalid: ..."), the one read
     * of these files at start.
     */
    public ReloadableTls(Path certificate, Path key, Optional<Path> clientCa) throws ConfigException, IOException {
        this.certificate = requireNonNull(certificate, "certificate is null");
        this.key = requireNonNull(key, "key is null");
        this.clientCa = requireNonNull(clientCa, "clientCa is null");
        try {
            trustManager = AdvancedTlsX509TrustManager.newBuilder()
                    .setVerification(AdvancedTlsX509TrustManager.Verification.CERTIFICATE_ONLY_VERIFICATION)
                    .build();
        } catch (GeneralSecurityException unavailable) {
            throw new IOException("the JVM offers no X.509 trust manager: " + unavailable.getMessage(), unavailable);
        }
        try {
            loadIdentity();
            if (clientCa.isPresent()) {
                loadClientCa();
            }
        } catch (InvalidSetting refused) {
            throw new ConfigException("[" + ServerSettings.SECTION + "] " + refused.setting + " is invalid: "
                    + refused.getMessage(), ServerSettings.SECTION, refused.setting);
        }
    }

    /**
     * Server credentials for Netty. With a client CA, a client certificate is asked for but not required by the
     * handshake itself: {@link AuthorizationInterceptor} answers a client without one UNAUTHENTICATED, which says
     * more than a TLS alert.
     */
    public ServerCredentials credentials() {
        TlsServerCredentials.Builder tls = TlsServerCredentials.newBuilder().keyManager(keyManager);
        if (clientCa.isPresent()) {
            tls.trustManager(new UnnamedIssuers(trustManager)).clientAuth(TlsServerCredentials.ClientAuth.OPTIONAL);
        }
        return tls.build();
    }

    /**
     * Reads the files again. Each part (certificate with key, client CA) is replaced only when it loads; the
     * answer lists what failed, each naming its file (empty when everything was reloaded).
     */
    public List<String> reload() {
        List<String> failures = new ArrayList<>();
        try {
            loadIdentity();
        } catch (InvalidSetting | RuntimeException failure) {
            failures.add("the certificate " + certificate + " with its key " + key + " cannot be loaded ("
                    + failure.getMessage() + "): the previous ones stay in use");
        }
        if (clientCa.isPresent()) {
            try {
                loadClientCa();
            } catch (InvalidSetting | RuntimeException failure) {
                failures.add("the client CA " + clientCa.get() + " cannot be loaded (" + failure.getMessage()
                        + "): the previous one stays in use");
            }
        }
        failures.forEach(LOG::error);
        return List.copyOf(failures);
    }

    /** Installs the certificate chain with its key, or nothing: a refusal names the setting at fault. */
    private void loadIdentity() throws InvalidSetting {
        // TlsFiles reads the formats openssl writes (PKCS#8, PKCS#1, SEC1) and refuses an expired certificate
        // or a key of another certificate: installing either would fail every new handshake
        List<X509Certificate> chain = read("tlsCertificate", () -> TlsFiles.certificateChain(certificate,
                new Date()));
        PrivateKey privateKey = read("tlsKey", () -> TlsFiles.privateKey(key));
        read("tlsKey", () -> {
            TlsFiles.checkPair(chain, certificate, privateKey, key);
            return privateKey;
        });
        keyManager.updateIdentityCredentials(chain.toArray(X509Certificate[]::new), privateKey);
    }

    private void loadClientCa() throws InvalidSetting {
        List<X509Certificate> bundle = read("tlsClientCa", () -> TlsFiles.caBundle(clientCa.get()));
        try {
            trustManager.updateTrustCredentials(bundle.toArray(X509Certificate[]::new));
        } catch (IOException | GeneralSecurityException failure) {
            throw new InvalidSetting("tlsClientCa", clientCa.get() + ": " + failure.getMessage());
        }
    }

    private interface TlsRead<T> {
        T read() throws TlsFileException;
    }

    private static <T> T read(String setting, TlsRead<T> read) throws InvalidSetting {
        try {
            return read.read();
        } catch (TlsFileException refused) {
            throw new InvalidSetting(setting, refused.getMessage());
        }
    }

    /** A TLS file that cannot be used, with the [server] setting that names it. */
    private static final class InvalidSetting extends Exception {
        private final String setting;

        InvalidSetting(String setting, String message) {
            super(message);
            this.setting = setting;
        }
    }

    /**
     * Checks clients with the reloadable trust manager but names no CA in the handshake's certificate request.
     * Netty's OpenSSL engine reads the CA names once, when the server starts: after a rotation it would still ask for
     * certificates of the old CA, and clients (Java's among them) would then hold their new certificate back. With no
     * names, a client presents the certificate it has, and the current client CA judges it.
     */
    private static final class UnnamedIssuers extends X509ExtendedTrustManager {
        private static final X509Certificate[] NONE = new X509Certificate[0];
        private final X509ExtendedTrustManager delegate;

        UnnamedIssuers(X509ExtendedTrustManager delegate) {
            this.delegate = delegate;
        }

        @Override
        public void checkClientTrusted(X509Certificate[] chain, String authType, Socket socket)
                throws CertificateException {
            delegate.checkClientTrusted(chain, authType, socket);
        }

        @Override
        public void checkClientTrusted(X509Certificate[] chain, String authType, SSLEngine engine)
                throws CertificateException {
            delegate.checkClientTrusted(chain, authType, engine);
        }

        @Override
        public void checkClientTrusted(X509Certificate[] chain, String authType) throws CertificateException {
            delegate.checkClientTrusted(chain, authType);
        }

        @Override
        public void checkServerTrusted(X509Certificate[] chain, String authType, Socket socket)
                throws CertificateException {
            delegate.checkServerTrusted(chain, authType, socket);
        }

        @Override
        public void checkServerTrusted(X509Certificate[] chain, String authType, SSLEngine engine)
                throws CertificateException {
            delegate.checkServerTrusted(chain, authType, engine);
        }

        @Override
        public void checkServerTrusted(X509Certificate[] chain, String authType) throws CertificateException {
            delegate.checkServerTrusted(chain, authType);
        }

        @Override
        public X509Certificate[] getAcceptedIssuers() {
            return NONE;
        }
    }
}
