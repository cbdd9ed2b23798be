package com.abiquo.aim.server.tls;

import com.abiquo.aim.core.error.FileErrors;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.PrivateKey;
import java.security.SecureRandom;
import java.security.Signature;
import java.security.cert.CertificateException;
import java.security.cert.CertificateExpiredException;
import java.security.cert.CertificateFactory;
import java.security.cert.CertificateNotYetValidException;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Date;
import java.util.List;

/**
 * Reads and checks the files of [server] tlsCertificate, tlsKey and tlsClientCa the way a TLS handshake will use
 * them, so that a node whose files no client could connect to is refused at {@code --check-config} and at start
 * instead of listening and failing every handshake.
 */
public final class TlsFiles {
    private TlsFiles() {
    }

    /** The certificate chain, the node's own first; each must be valid now. */
    public static List<X509Certificate> certificateChain(Path file, Date now) throws TlsFileException {
        List<X509Certificate> chain = certificates(file);
        for (X509Certificate certificate : chain) {
            try {
                certificate.checkValidity(now);
            } catch (CertificateExpiredException expired) {
                throw new TlsFileException(file + ": the certificate \"" + subject(certificate) + "\" expired on "
                        + certificate.getNotAfter().toInstant() + "; no client accepts it");
            } catch (CertificateNotYetValidException early) {
                throw new TlsFileException(file + ": the certificate \"" + subject(certificate)
                        + "\" is not valid before " + certificate.getNotBefore().toInstant()
                        + " (is this clock right?); no client accepts it yet");
            }
        }
        return chain;
    }

    /** The CA bundle that client certificates must chain to: at least one certificate. */
    public static List<X509Certificate> caBundle(Path file) throws TlsFileException {
        return certificates(file);
    }

    public static PrivateKey privateKey(Path file) throws TlsFileException {
        try {
            return PemPrivateKeys.read(read(file));
        } catch (TlsFileException refused) {
            throw new TlsFileException(file + ": " + refused.getMessage());
        }
    }

    /**
     * Proves that the key belongs to the chain's first certificate: what the key signs, the certificate's public
     * key verifies. A key of another certificate would make every handshake fail.
     */
    public static void checkPair(List<X509Certificate> chain, Path certificateFile, PrivateKey key, Path keyFile)
            throws TlsFileException {
        X509Certificate certificate = chain.get(0);
        String mismatch = keyFile + ": this key does not belong to the certificate \"" + subject(certificate)
                + "\" of " + certificateFile + " (a key of another certificate?); every handshake would fail";
        if (!key.getAlgorithm().equals(certificate.getPublicKey().getAlgorithm())) {
            throw new TlsFileException(mismatch + " (an " + key.getAlgorithm() + " key for an "
                    + certificate.getPublicKey().getAlgorithm() + " certificate)");
        }
        byte[] challenge = new byte[32];
        new SecureRandom().nextBytes(challenge);
        String algorithm = "EC".equals(key.getAlgorithm()) ? "SHA256withECDSA" : "SHA256withRSA";
        try {
            Signature signer = Signature.getInstance(algorithm);
            signer.initSign(key);
            signer.update(challenge);
            byte[] signature = signer.sign();
            Signature verifier = Signature.getInstance(algorithm);
            verifier.initVerify(certificate.getPublicKey());
            verifier.update(challenge);
            if (!verifier.verify(signature)) {
                throw new TlsFileException(mismatch);
            }
        } catch (GeneralSecurityException broken) {
            throw new TlsFileException(mismatch + " (" + broken.getMessage() + ")");
        }
    }

    /** The certificates as PEM, for gRPC's TLS credentials. */
    public static byte[] pem(List<X509Certificate> certificates) throws TlsFileException {
        StringBuilder text = new StringBuilder();
        for (X509Certificate certificate : certificates) {
            try {
                text.append(pem("CERTIFICATE", certificate.getEncoded()));
            } catch (CertificateException broken) {
                throw new TlsFileException("certificate \"" + subject(certificate) + "\" cannot be encoded: "
                        + broken.getMessage());
            }
        }
        return text.toString().getBytes(StandardCharsets.US_ASCII);
    }

    /** The key as PKCS#8 PEM, the one key format Netty reads, whichever format the file had. */
    public static byte[] pem(PrivateKey key) {
        return pem("PRIVATE KEY", key.getEncoded()).getBytes(StandardCharsets.US_ASCII);
    }

    private static String pem(String label, byte[] der) {
        return "-----BEGIN " + label + "-----\n" + Base64.getMimeEncoder(64, new byte[] {'\n'}).encodeToString(der)
                + "\n-----END " + label + "-----\n";
    }

    private static List<X509Certificate> certificates(Path file) throws TlsFileException {
        List<X509Certificate> certificates = new ArrayList<>();
        try (InputStream in = Files.newInputStream(file)) {
            for (var certificate : CertificateFactory.getInstance("X.509").generateCertificates(in)) {
                certificates.add((X509Certificate) certificate);
            }
        } catch (IOException unreadable) {
            throw new TlsFileException(file + ": cannot be read: " + FileErrors.reason(unreadable));
        } catch (CertificateException | RuntimeException garbage) {
            throw new TlsFileException(file + ": is not a PEM certificate file (" + garbage.getMessage()
                    + "); wanted: one or more BEGIN CERTIFICATE blocks");
        }
        if (certificates.isEmpty()) {
            throw new TlsFileException(file + ": holds no certificate; wanted: one or more BEGIN CERTIFICATE "
                    + "blocks");
        }
        return List.copyOf(certificates);
    }

    private static String read(Path file) throws TlsFileException {
        try {
            return Files.readString(file, StandardCharsets.ISO_8859_1);
        } catch (IOException unreadable) {
            throw new TlsFileException(file + ": cannot be read: " + FileErrors.reason(unreadable));
        }
    }

    private static String subject(X509Certificate certificate) {
        return certificate.getSubjectX500Principal().getName();
    }
}
