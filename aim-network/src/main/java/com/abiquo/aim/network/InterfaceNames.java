package com.abiquo.aim.network;

import com.abiquo.aim.core.error.AimException;
import io.grpc.Status;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * The names this module accepts, checked before any of them reaches a command or a file name. The rules are the
 * kernel's own (dev_valid_name: under IFNAMSIZ bytes, not "." or "..", no '/', ':' or white space; "all" and
 * "default" collide with /proc/sys/net/.../conf and are refused with EINVAL), narrowed to the characters
 * ifcfg files and initscripts handle without quoting.
 */
public final class InterfaceNames {
    /** IFNAMSIZ is 16 including the terminating NUL. */
    public static final int MAX_BYTES = 15;
    public static final int MIN_TAG = 1;
    public static final int MAX_TAG = 4094;
    private static final Pattern ALLOWED = Pattern.compile("[A-Za-z0-9_.-]+");
    private static final Set<String> RESERVED = Set.of(".", "..", "all", "default");

    private InterfaceNames() {
    }

    /** Returns why the name is refused, or null when the kernel and the ifcfg files accept it. */
    public static String problem(String name) {
        if (name == null || name.isEmpty()) {
            return "is empty";
        }
        if (!ALLOWED.matcher(name).matches()) {
            return "may only contain letters, digits, '_', '.' and '-'";
        }
        if (name.getBytes(StandardCharsets.UTF_8).length > MAX_BYTES) {
            return "is longer than " + MAX_BYTES + " bytes (the kernel's limit)";
        }
        if (name.startsWith("-")) {
            return "starts with '-' (command-line tools would read it as an option)";
        }
        if (RESERVED.contains(name)) {
            return "is reserved by the kernel";
        }
        return null;
    }

    /** @param field how the request calls this name, e.g. "bridge" */
    public static String requireValid(String field, String name) throws AimException {
        String problem = problem(name);
        if (problem != null) {
            throw invalid(field, "interface name \"" + printable(name) + "\" given as " + field + " " + problem);
        }
        return name;
    }

    public static int requireTag(long tag) throws AimException {
        if (tag < MIN_TAG || tag > MAX_TAG) {
            throw invalid("tag", "VLAN tag " + tag + " is out of range: 802.1Q tags go from " + MIN_TAG + " to "
                    + MAX_TAG);
        }
        return (int) tag;
    }

    static AimException invalid(String field, String message) {
        VlanErrorReason reason = "tag".equals(field) ? VlanErrorReason.INVALID_VLAN_TAG
                : VlanErrorReason.INVALID_INTERFACE_NAME;
        return new AimException(Status.Code.INVALID_ARGUMENT, reason, message, Map.of("field", field), null);
    }

    /** Control characters would garble a log line or a client's terminal. */
    private static String printable(String name) {
        if (name == null) {
            return "";
        }
        StringBuilder out = new StringBuilder();
        name.codePoints().limit(64).forEach(c -> {
            if (Character.isISOControl(c)) {
                out.append(String.format("\\x%02x", c));
            } else {
                out.appendCodePoint(c);
            }
        });
        return name.length() > 64 ? out + "..." : out.toString();
    }
}
