package com.abiquo.aim.server.metrics;

import com.abiquo.aim.server.tls.TlsFileException;
import com.abiquo.aim.server.tls.TlsFiles;
import java.io.IOException;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.cert.Certificate;
import java.security.cert.X509Certificate;
import java.util.Date;
import java.util.List;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;

/**
 * An SSLContext from the PEM files the gRPC server uses ([server] tlsCertificate and tlsKey, read by TlsFiles as the
 * server reads them: PKCS#8, PKCS#1 or SEC1 keys), so that /metrics serves the node's own certificate without a
 * second key store to keep in step.
 */
final class PemTls {
    private PemTls() {
    }

    static SSLContext serverContext(Path certificateChain, Path key) throws IOException {
        try {
            List<X509Certificate> chain = TlsFiles.certificateChain(certificateChain, new Date());
            KeyStore store = KeyStore.getInstance("PKCS12");
            store.load(null, null);
            char[] password = new char[0];
            store.setKeyEntry("aim", TlsFiles.privateKey(key), password, chain.toArray(Certificate[]::new));
            KeyManagerFactory keys = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
            keys.init(store, password);
            SSLContext context = SSLContext.getInstance("TLS");
            context.init(keys.getKeyManagers(), null, null);
            return context;
        } catch (GeneralSecurityException | TlsFileException failure) {
            throw new IOException("cannot serve /metrics over TLS with " + certificateChain + " and " + key + ": "
                    + failure.getMessage(), failure);
        }
    }
}
