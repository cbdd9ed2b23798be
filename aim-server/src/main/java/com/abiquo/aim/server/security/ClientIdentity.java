package com.abiquo.aim.server.security;

import java.security.cert.CertificateParsingException;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Optional;
import javax.net.ssl.SSLPeerUnverifiedException;
import javax.net.ssl.SSLSession;
import javax.security.auth.x500.X500Principal;

/**
 * Who a client is, read from the leaf certificate it presented, in gRFC A43's order: its URI SANs, then its DNS
 * SANs, then its subject DN (RFC 2253, as Java writes it: {@code CN=controller,O=Abiquo}).
 *
 * @param identities every identity, in that order; never empty (the subject DN is always there)
 */
public record ClientIdentity(List<String> identities) {
    private static final int DNS_NAME = 2;
    private static final int URI = 6;

    public ClientIdentity {
        identities = List.copyOf(identities);
        if (identities.isEmpty()) {
            throw new IllegalArgumentException("a client identity has at least its subject DN");
        }
    }

    /** The identity named in messages and the audit trail: the first in A43's order. */
    public String primary() {
        return identities.get(0);
    }

    /** The identity of the TLS session's client; empty without TLS or without a client certificate. */
    public static Optional<ClientIdentity> of(SSLSession session) {
        if (session == null) {
            return Optional.empty();
        }
        try {
            if (session.getPeerCertificates().length > 0
                    && session.getPeerCertificates()[0] instanceof X509Certificate leaf) {
                return Optional.of(of(leaf));
            }
            return Optional.empty();
        } catch (SSLPeerUnverifiedException noCertificate) {
            return Optional.empty();
        }
    }

    static ClientIdentity of(X509Certificate leaf) {
        List<String> uris = new ArrayList<>();
        List<String> dnsNames = new ArrayList<>();
        try {
            Collection<List<?>> names = leaf.getSubjectAlternativeNames();
            if (names != null) {
                for (List<?> name : names) {
                    if (name.size() >= 2 && name.get(1) instanceof String value) {
                        int type = (Integer) name.get(0);
                        if (type == URI) {
                            uris.add(value);
                        } else if (type == DNS_NAME) {
                            dnsNames.add(value);
                        }
                    }
                }
            }
        } catch (CertificateParsingException unreadable) {
            // a certificate whose SAN extension cannot be parsed is known by its subject only
        }
        List<String> identities = new ArrayList<>(uris);
        identities.addAll(dnsNames);
        identities.add(leaf.getSubjectX500Principal().getName(X500Principal.RFC2253));
        return new ClientIdentity(identities);
    }
}
