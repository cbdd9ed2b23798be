package com.abiquo.aim.server.security;

import static java.util.Objects.requireNonNull;

import io.grpc.ServerCredentials;
import io.grpc.TlsServerCredentials;
import io.grpc.util.AdvancedTlsX509KeyManager;
import io.grpc.util.AdvancedTlsX509TrustManager;
import io.grpc.util.CertificateUtils;
import java.io.IOException;
import java.io.InputStream;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.PrivateKey;
import java.security.SecureRandom;
import java.security.Signature;
import java.security.cert.CertificateException;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
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

    /** Loads every file once; a file that cannot be loaded fails start-up with an IOException naming it. */
    public ReloadableTls(Path certificate, Path key, Optional<Path> clientCa) throws IOException {
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
        List<String> failures = reload();
        if (!failures.isEmpty()) {
            throw new IOException(String.join("; ", failures));
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
            X509Certificate[] chain = readChain(certificate);
            PrivateKey privateKey = readKey(key);
            requireMatch(chain[0], privateKey);
            keyManager.updateIdentityCredentials(chain, privateKey);
        } catch (IOException | GeneralSecurityException | RuntimeException failure) {
            failures.add("the certificate " + certificate + " with its key " + key + " cannot be loaded ("
                    + failure.getMessage() + "): the previous ones stay in use");
        }
        if (clientCa.isPresent()) {
            try {
                trustManager.updateTrustCredentials(clientCa.get().toFile());
            } catch (IOException | GeneralSecurityException | RuntimeException failure) {
                failures.add("the client CA " + clientCa.get() + " cannot be loaded (" + failure.getMessage()
                        + "): the previous one stays in use");
            }
        }
        failures.forEach(LOG::error);
        return List.copyOf(failures);
    }

    private static X509Certificate[] readChain(Path file) throws IOException, GeneralSecurityException {
        try (InputStream in = Files.newInputStream(file)) {
            X509Certificate[] chain = CertificateUtils.getX509Certificates(in);
            if (chain.length == 0) {
                throw new CertificateException("no PEM certificate in it");
            }
            return chain;
        }
    }

    private static PrivateKey readKey(Path file) throws IOException, GeneralSecurityException {
        try (InputStream in = Files.newInputStream(file)) {
            return CertificateUtils.getPrivateKey(in);
        }
    }

    /**
     * A certificate replaced before its key (or the other way round) must not be installed: every handshake would
     * fail until the second file arrives. Signing a nonce with the key and checking it with the certificate proves
     * they belong together, whatever the key type.
     */
    private static void requireMatch(X509Certificate leaf, PrivateKey privateKey) throws GeneralSecurityException {
        String algorithm = switch (privateKey.getAlgorithm()) {
            case "RSA" -> "SHA256withRSA";
            case "EC" -> "SHA256withECDSA";
            case "Ed25519", "EdDSA" -> "Ed25519";
            default -> throw new GeneralSecurityException("keys of type " + privateKey.getAlgorithm()
                    + " are not supported");
        };
        byte[] nonce = new byte[32];
        new SecureRandom().nextBytes(nonce);
        Signature signer = Signature.getInstance(algorithm);
        signer.initSign(privateKey);
        signer.update(nonce);
        byte[] signature = signer.sign();
        Signature verifier = Signature.getInstance(algorithm);
        verifier.initVerify(leaf.getPublicKey());
        verifier.update(nonce);
        if (!verifier.verify(signature)) {
            throw new GeneralSecurityException("the key does not belong to the certificate (" + leaf
                    .getSubjectX500Principal().getName() + ")");
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
