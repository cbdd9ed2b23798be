package com.abiquo.aim.server;

import com.abiquo.aim.core.config.ConfigException;
import com.abiquo.aim.server.tls.TlsFileException;
import com.abiquo.aim.server.tls.TlsFiles;
import java.nio.file.Path;
import java.security.PrivateKey;
import java.security.cert.X509Certificate;
import java.util.Date;
import java.util.List;

/**
 * The [server] TLS files checked again at start, before anything listens (they were checked with the configuration,
 * but may have changed since): a refusal names the setting and the file. ReloadableTls then loads them.
 */
final class TlsCheck {
    private TlsCheck() {
    }

    static void check(ServerSettings settings) throws ConfigException {
        if (!settings.tls()) {
            return;
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
        if (settings.mutualTls()) {
            Path caFile = settings.tlsClientCa().orElseThrow();
            read("tlsClientCa", () -> TlsFiles.caBundle(caFile));
        }
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
