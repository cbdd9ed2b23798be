package com.abiquo.aim.server.tls;

/** A TLS file (certificate, key or CA bundle) that cannot be used; the message says why, naming the file. */
public final class TlsFileException extends Exception {
    public TlsFileException(String message) {
        super(message);
    }
}
