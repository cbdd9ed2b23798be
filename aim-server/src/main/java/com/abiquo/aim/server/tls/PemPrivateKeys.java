package com.abiquo.aim.server.tls;

import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.PrivateKey;
import java.security.spec.PKCS8EncodedKeySpec;
import java.util.Arrays;
import java.util.Base64;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Reads an unencrypted RSA or EC private key from PEM in the three forms openssl writes: PKCS#8
 * ({@code BEGIN PRIVATE KEY}, genpkey and OpenSSL 3's genrsa), PKCS#1 ({@code BEGIN RSA PRIVATE KEY}, "traditional")
 * and SEC1 ({@code BEGIN EC PRIVATE KEY}, ecparam -genkey). The traditional forms are wrapped in PKCS#8 with plain
 * JDK code (no BouncyCastle); Netty, which gRPC hands the key to, reads only PKCS#8.
 */
final class PemPrivateKeys {
    static final String WANTED = "an unencrypted RSA or EC private key in PEM: BEGIN PRIVATE KEY (PKCS#8), "
            + "BEGIN RSA PRIVATE KEY (PKCS#1) or BEGIN EC PRIVATE KEY";

    private static final Pattern BLOCK = Pattern.compile(
            "-----BEGIN ([A-Z0-9 ]+)-----\\r?\\n(.*?)-----END \\1-----", Pattern.DOTALL);

    private PemPrivateKeys() {
    }

    static PrivateKey read(String pem) throws TlsFileException {
        Matcher block = BLOCK.matcher(pem);
        while (block.find()) {
            String label = block.group(1);
            if (!label.endsWith("PRIVATE KEY")) {
                continue; // e.g. the EC PARAMETERS block ecparam writes first, or a certificate in the same file
            }
            String body = block.group(2);
            if (label.startsWith("ENCRYPTED") || body.contains("ENCRYPTED")) {
                throw new TlsFileException("the key is encrypted with a pass phrase, which AIM cannot ask for; "
                        + "write it unencrypted (openssl pkey -in <key> -out <new key>) and protect the file "
                        + "(mode 0600)");
            }
            byte[] der = decode(body);
            return switch (label) {
                case "PRIVATE KEY" -> fromPkcs8(der);
                case "RSA PRIVATE KEY" -> generate("RSA", pkcs8(Der.encode(Der.SEQUENCE, Der.RSA_ENCRYPTION,
                        Der.encode(Der.NULL)), der));
                case "EC PRIVATE KEY" -> ec(der);
                default -> throw new TlsFileException("it holds a \"" + label + "\", a format AIM does not read; "
                        + "wanted: " + WANTED);
            };
        }
        throw new TlsFileException("it holds no PEM private key; wanted: " + WANTED);
    }

    private static byte[] decode(String body) throws TlsFileException {
        StringBuilder base64 = new StringBuilder();
        for (String line : body.split("\\r?\\n")) {
            if (!line.contains(":")) { // RFC 1421 headers such as Proc-Type carry a colon; base64 never does
                base64.append(line.strip());
            }
        }
        try {
            return Base64.getDecoder().decode(base64.toString());
        } catch (IllegalArgumentException notBase64) {
            throw new TlsFileException("its PEM block is not valid base64; wanted: " + WANTED);
        }
    }

    private static PrivateKey fromPkcs8(byte[] der) throws TlsFileException {
        try {
            List<Der.Element> info = Der.sequence(der);
            if (info.size() >= 2 && info.get(1).tag() == Der.SEQUENCE) {
                List<Der.Element> algorithm = Der.sequence(info.get(1).encoded());
                byte[] oid = algorithm.isEmpty() ? new byte[0] : algorithm.get(0).encoded();
                if (Arrays.equals(oid, Der.RSA_ENCRYPTION)) {
                    return generate("RSA", der);
                }
                if (Arrays.equals(oid, Der.EC_PUBLIC_KEY)) {
                    return generate("EC", der);
                }
                throw new TlsFileException("it is a PKCS#8 key of an algorithm other than RSA and EC (e.g. Ed25519), "
                        + "which gRPC's TLS cannot serve; wanted: " + WANTED);
            }
        } catch (Der.InvalidDerException broken) {
            // refused below
        }
        throw new TlsFileException("its PRIVATE KEY block is not a PKCS#8 key; wanted: " + WANTED);
    }

    /** SEC1 ECPrivateKey: the curve is in its [0] parameters, which PKCS#8 wants in the algorithm identifier. */
    private static PrivateKey ec(byte[] der) throws TlsFileException {
        try {
            for (Der.Element element : Der.sequence(der)) {
                if (element.tag() == Der.CONTEXT_0) {
                    return generate("EC", pkcs8(Der.encode(Der.SEQUENCE, Der.EC_PUBLIC_KEY, element.contents()),
                            der));
                }
            }
        } catch (Der.InvalidDerException broken) {
            throw new TlsFileException("its EC PRIVATE KEY block is not a SEC1 key; wanted: " + WANTED);
        }
        throw new TlsFileException("its EC PRIVATE KEY names no curve (written with -param_enc explicit or "
                + "-no_public?); write it as PKCS#8: openssl pkey -in <key> -out <new key>");
    }

    /** PKCS#8 PrivateKeyInfo: version 0, the algorithm, and the traditional key as an OCTET STRING. */
    private static byte[] pkcs8(byte[] algorithmIdentifier, byte[] traditionalKey) {
        return Der.encode(Der.SEQUENCE, Der.encode(Der.INTEGER, new byte[] {0}), algorithmIdentifier,
                Der.encode(Der.OCTET_STRING, traditionalKey));
    }

    private static PrivateKey generate(String algorithm, byte[] pkcs8) throws TlsFileException {
        try {
            return KeyFactory.getInstance(algorithm).generatePrivate(new PKCS8EncodedKeySpec(pkcs8));
        } catch (GeneralSecurityException broken) {
            throw new TlsFileException("its " + algorithm + " key cannot be read (" + broken.getMessage()
                    + "); wanted: " + WANTED);
        }
    }
}
