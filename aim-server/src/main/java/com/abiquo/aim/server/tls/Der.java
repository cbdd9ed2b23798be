package com.abiquo.aim.server.tls;

import java.io.ByteArrayOutputStream;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * The few ASN.1 DER pieces needed to wrap OpenSSL's traditional key formats (PKCS#1, SEC1) in PKCS#8, which the
 * JDK reads: encode an element, and split a SEQUENCE into its elements. Not a general ASN.1 library.
 */
final class Der {
    static final int INTEGER = 0x02;
    static final int OCTET_STRING = 0x04;
    static final int NULL = 0x05;
    static final int SEQUENCE = 0x30;
    /** [0] EXPLICIT, constructed: the parameters of a SEC1 ECPrivateKey */
    static final int CONTEXT_0 = 0xa0;

    /** rsaEncryption, 1.2.840.113549.1.1.1 */
    static final byte[] RSA_ENCRYPTION = {0x06, 0x09, 0x2a, (byte) 0x86, 0x48, (byte) 0x86, (byte) 0xf7, 0x0d, 0x01,
        0x01, 0x01};
    /** id-ecPublicKey, 1.2.840.10045.2.1 */
    static final byte[] EC_PUBLIC_KEY = {0x06, 0x07, 0x2a, (byte) 0x86, 0x48, (byte) 0xce, 0x3d, 0x02, 0x01};

    /** One element: its tag, and its whole encoding (tag, length and contents). */
    record Element(int tag, byte[] encoded, byte[] contents) {
    }

    private Der() {
    }

    static byte[] encode(int tag, byte[]... contents) {
        ByteArrayOutputStream body = new ByteArrayOutputStream();
        for (byte[] part : contents) {
            body.writeBytes(part);
        }
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.write(tag);
        int length = body.size();
        if (length < 0x80) {
            out.write(length);
        } else {
            int bytes = (Integer.SIZE - Integer.numberOfLeadingZeros(length) + 7) / 8;
            out.write(0x80 | bytes);
            for (int shift = (bytes - 1) * 8; shift >= 0; shift -= 8) {
                out.write(length >>> shift);
            }
        }
        out.writeBytes(body.toByteArray());
        return out.toByteArray();
    }

    /** The elements of the SEQUENCE that {@code der} is. */
    static List<Element> sequence(byte[] der) throws InvalidDerException {
        Element outer = element(der, 0);
        if (outer.tag() != SEQUENCE || outer.encoded().length != der.length) {
            throw new InvalidDerException("not a DER SEQUENCE");
        }
        List<Element> elements = new ArrayList<>();
        byte[] contents = outer.contents();
        int offset = 0;
        while (offset < contents.length) {
            Element next = element(contents, offset);
            elements.add(next);
            offset += next.encoded().length;
        }
        return elements;
    }

    private static Element element(byte[] data, int start) throws InvalidDerException {
        if (data.length - start < 2) {
            throw new InvalidDerException("truncated DER");
        }
        int tag = data[start] & 0xff;
        int first = data[start + 1] & 0xff;
        int offset = start + 2;
        long length = first;
        if (first >= 0x80) {
            int bytes = first & 0x7f;
            if (bytes == 0 || bytes > 4 || data.length - offset < bytes) {
                throw new InvalidDerException("bad DER length");
            }
            length = 0;
            for (int i = 0; i < bytes; i++) {
                length = (length << 8) | (data[offset++] & 0xff);
            }
        }
        if (length > data.length - offset) {
            throw new InvalidDerException("truncated DER");
        }
        int end = offset + (int) length;
        return new Element(tag, Arrays.copyOfRange(data, start, end), Arrays.copyOfRange(data, offset, end));
    }

    static final class InvalidDerException extends Exception {
        InvalidDerException(String message) {
            super(message);
        }
    }
}
