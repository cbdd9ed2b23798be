package com.abiquo.aim.server;

import com.abiquo.aim.core.config.ConfigException;
import com.abiquo.aim.server.tls.TlsFileException;
import com.abiquo.aim.server.tls.TlsFiles;
import io.grpc.InsecureServerCredentials;
import io.grpc.ServerCredentials;
import io.grpc.TlsServerCredentials;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.file.Path;
import java.security.PrivateKey;
import java.security.cert.X509Certificate;
import java.util.Date;
import java.util.List;

/**
 * The server's credentials from the [server] TLS files, read and checked again at start (they were checked with
 * the configuration, but may have changed since). The key reaches gRPC as PKCS#8 whatever its file's format.
 */
final class TlsCredentials {
    private TlsCredentials() {
    }

    static ServerCredentials of(ServerSettings settings) throws ConfigException, IOException {
        if (!settings.tls()) {
            return InsecureServerCredentials.create();
        }
        Path certificateFile = settings.tlsCertificate().orElseThrow();
        Path keyFile = settings.tlsKey().orElseThrow();
        List<X509Certificate> chain = read("tlsCertificate", () -> TlsFiles.certificateChain(certificateFile,
                new Date()));
        PrivateKey key = read("tlsKey", () -> TlsFiles.privateKey(keyFile));
        read("tlsKey", () -> {
            TlsFiles.checkPair(chain, certificateFile, key, keyFile);
            return key;
        });
        TlsServerCredentials.Builder tls = TlsServerCredentials.newBuilder();
        byte[] chainPem = read("tlsCertificate", () -> TlsFiles.pem(chain));
        tls.keyManager(new ByteArrayInputStream(chainPem), new ByteArrayInputStream(TlsFiles.pem(key)));
        if (settings.mutualTls()) {
            Path caFile = settings.tlsClientCa().orElseThrow();
            byte[] caPem = read("tlsClientCa", () -> TlsFiles.pem(TlsFiles.caBundle(caFile)));
            tls.trustManager(new ByteArrayInputStream(caPem)).clientAuth(TlsServerCredentials.ClientAuth.REQUIRE);
        }
        return tls.build();
    }

    private interface TlsRead<T> {
        T read() throws TlsFileException;
    }

    private static <T> T read(String setting, TlsRead<T> read) throws ConfigException {
        try {
            return read.read();
        } catch (TlsFileException refused) {
            throw new ConfigException("[" + ServerSettings.SECTION + "] " + setting + " is invalid: "
                    + refused.getMessage(), ServerSettings.SECTION, setting);
        }
    }
}
