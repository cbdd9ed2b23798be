package com.abiquo.aim.core.iscsi;

import com.abiquo.aim.core.error.AimException;
import com.abiquo.aim.core.error.CoreErrorReason;
import io.grpc.Status;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.time.Duration;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * An iSCSI portal: a host (DNS name, IPv4 address, or IPv6 address) and a TCP port, written "host", "host:port" or
 * "[v6addr]:port". The host is validated so it is safe as a command argument and in XML.
 */
public record Portal(String host, int port) {
    public static final int DEFAULT_PORT = 3260;
    private static final Pattern NAME = Pattern.compile(
            "[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?(\\.[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?)*");
    private static final Pattern IPV6 = Pattern.compile("[0-9A-Fa-f:.]{2,45}");

    public Portal {
        if (port < 1 || port > 65535) {
            throw new IllegalArgumentException("port " + port + " out of range");
        }
    }

    /**
     * @param field how the request names the portal, for messages
     * @throws AimException INVALID_ARGUMENT naming the field and what is wrong
     */
    public static Portal parse(String text, String field) throws AimException {
        if (text == null || text.isBlank()) {
            throw invalid(field, text, "is empty (expected host or host:port)");
        }
        String host;
        String portText = null;
        if (text.startsWith("[")) {
            int close = text.indexOf(']');
            if (close < 0) {
                throw invalid(field, text, "opens '[' for an IPv6 address but never closes it");
            }
            host = text.substring(1, close);
            String after = text.substring(close + 1);
            if (!after.isEmpty()) {
                if (!after.startsWith(":")) {
                    throw invalid(field, text, "has text after the IPv6 address that is not \":port\"");
                }
                portText = after.substring(1);
            }
            if (!IPV6.matcher(host).matches() || !host.contains(":")) {
                throw invalid(field, text, "holds \"" + Iqn.printable(host) + "\", which is not an IPv6 address");
            }
        } else {
            int colon = text.indexOf(':');
            if (colon >= 0 && text.indexOf(':', colon + 1) >= 0) {
                throw invalid(field, text, "looks like a bare IPv6 address; write it as [address]:port");
            }
            host = colon < 0 ? text : text.substring(0, colon);
            portText = colon < 0 ? null : text.substring(colon + 1);
            if (host.length() > 253 || !NAME.matcher(host).matches()) {
                throw invalid(field, text, "has an invalid host \"" + Iqn.printable(host)
                        + "\" (a DNS name or an IPv4 address)");
            }
        }
        int port = DEFAULT_PORT;
        if (portText != null) {
            try {
                port = Integer.parseInt(portText);
            } catch (NumberFormatException notANumber) {
                port = -1;
            }
            if (port < 1 || port > 65535) {
                throw invalid(field, text, "has an invalid port \"" + Iqn.printable(portText) + "\" (1-65535)");
            }
        }
        return new Portal(host, port);
    }

    /** "host:port", with brackets around an IPv6 address (iscsiadm's and iscsi-ls's form). */
    @Override
    public String toString() {
        return (host.contains(":") ? "[" + host + "]" : host) + ":" + port;
    }

    /**
     * Fails fast when nothing accepts TCP connections at the portal, so callers do not wait on tools (libiscsi,
     * iscsiadm) that may retry for minutes.
     *
     * @throws AimException UNAVAILABLE naming the portal and the network error
     */
    public void requireReachable(Duration timeout, String field) throws AimException {
        try (Socket socket = new Socket()) {
            socket.connect(new InetSocketAddress(host, port), (int) Math.max(1, timeout.toMillis()));
        } catch (IOException failure) {
            String why = failure.getMessage() == null ? failure.getClass().getSimpleName() : failure.getMessage();
            if (failure instanceof java.net.SocketTimeoutException) {
                why = "no answer within " + timeout.toMillis() + " ms";
            }
            throw new AimException(Status.Code.UNAVAILABLE, CoreErrorReason.PORTAL_UNREACHABLE,
                    "iSCSI portal " + this + " ("
                    + field + ") does not accept connections: " + why, Map.of("portal", toString()), null);
        }
    }

    private static AimException invalid(String field, String text, String why) {
        return new AimException(Status.Code.INVALID_ARGUMENT, CoreErrorReason.INVALID_PORTAL,
                field + " \"" + Iqn.printable(text)
                + "\" " + why, Map.of("field", field), null);
    }
}
