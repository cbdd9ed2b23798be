package com.abiquo.aim.core.config;

import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.regex.Pattern;

/**
 * The syntax of a host setting: an IPv4 or IPv6 literal, or a DNS name (RFC 1123 labels; '_' tolerated, as some
 * internal zones use it). A syntax check only: whether the name resolves is for the code that connects.
 */
public final class HostNames {
    private static final Pattern IPV4 = Pattern.compile("\\d{1,3}(\\.\\d{1,3}){3}");
    private static final Pattern LABEL = Pattern.compile("[A-Za-z0-9_]([A-Za-z0-9_-]{0,61}[A-Za-z0-9_])?");

    private HostNames() {
    }

    /** Whether {@code host} (IPv6 without brackets) is an IP literal or a well-formed host name. */
    public static boolean isValid(String host) {
        if (host == null || host.isEmpty() || host.length() > 253) {
            return false;
        }
        if (IPV4.matcher(host).matches()) {
            for (String part : host.split("\\.")) {
                if (Integer.parseInt(part) > 255) {
                    return false;
                }
            }
            return true;
        }
        if (host.indexOf(':') >= 0) {
            return isIpv6(host);
        }
        String name = host.endsWith(".") ? host.substring(0, host.length() - 1) : host;
        for (String label : name.split("\\.", -1)) {
            if (!LABEL.matcher(label).matches()) {
                return false;
            }
        }
        // an all-numeric dotted name is a mistyped IPv4 address (10.0.0.256, 10.0.0), not a name
        return !name.matches("[0-9.]+");
    }

    private static boolean isIpv6(String host) {
        String address = host.indexOf('%') >= 0 ? host.substring(0, host.indexOf('%')) : host;
        if (!address.matches("[0-9A-Fa-f:.]+")) {
            return false;
        }
        try {
            // a literal with ':' is never looked up in DNS
            return InetAddress.getByName("[" + address + "]") instanceof Inet6Address;
        } catch (UnknownHostException notAnAddress) {
            return false;
        }
    }
}
