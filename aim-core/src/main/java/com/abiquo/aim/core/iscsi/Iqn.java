package com.abiquo.aim.core.iscsi;

import com.abiquo.aim.core.error.CoreErrorReason;
import com.abiquo.aim.core.error.AimException;
import com.abiquo.aim.core.path.PathLimits;
import io.grpc.Status;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * iSCSI names as RFC 3720 (3.2.6.3) defines them: {@code iqn.yyyy-mm.reverse.domain[:identifier]} or
 * {@code eui.} followed by 16 hex digits; at most 223 bytes. Only the characters RFC 3720 uses for names are
 * accepted (letters, digits, '-', '.', ':'), which also makes a name safe as a command argument and in XML.
 * iSCSI names are case-insensitive: compare them with {@link #same}.
 */
public final class Iqn {
    public static final int MAX_BYTES = 223;
    private static final Pattern LABEL = Pattern.compile("[a-z0-9]([a-z0-9-]*[a-z0-9])?");
    private static final Pattern IDENTIFIER = Pattern.compile("[a-z0-9.:-]+");
    private static final Pattern EUI = Pattern.compile("eui\\.[0-9a-f]{16}");
    private static final Pattern DATE = Pattern.compile("[0-9]{4}-(0[1-9]|1[0-2])");

    private Iqn() {
    }

    /** Why the name is not a valid iSCSI name, or empty when it is. */
    public static Optional<String> problem(String name) {
        if (name == null || name.isEmpty()) {
            return Optional.of("is empty");
        }
        if (PathLimits.utf8Length(name) > MAX_BYTES) {
            return Optional.of("is longer than " + MAX_BYTES + " bytes");
        }
        String lower = name.toLowerCase(Locale.ROOT);
        if (lower.startsWith("eui.")) {
            return EUI.matcher(lower).matches() ? Optional.empty()
                    : Optional.of("is not \"eui.\" followed by exactly 16 hexadecimal digits");
        }
        if (!lower.startsWith("iqn.")) {
            return Optional.of("does not start with \"iqn.\" or \"eui.\"");
        }
        String rest = lower.substring(4);
        if (rest.length() < 8 || !DATE.matcher(rest.substring(0, 7)).matches() || rest.charAt(7) != '.') {
            return Optional.of("lacks the date of the naming authority (\"iqn.yyyy-mm.\", month 01-12)");
        }
        rest = rest.substring(8);
        int colon = rest.indexOf(':');
        String authority = colon < 0 ? rest : rest.substring(0, colon);
        if (authority.isEmpty()) {
            return Optional.of("lacks the naming authority (a reversed domain name such as com.example)");
        }
        for (String label : authority.split("\\.", -1)) {
            if (!LABEL.matcher(label).matches()) {
                return Optional.of("has an invalid naming authority \"" + authority
                        + "\" (a reversed domain name: labels of letters, digits and inner '-', separated by '.')");
            }
        }
        if (colon >= 0 && !IDENTIFIER.matcher(rest.substring(colon + 1)).matches()) {
            return Optional.of("has an invalid identifier after ':' (only letters, digits, '-', '.' and ':' allowed,"
                    + " not empty)");
        }
        return Optional.empty();
    }

    /**
     * Returns the name when valid.
     *
     * @param field how the request names it, for the message (e.g. "target_iqns[2]")
     * @throws AimException INVALID_ARGUMENT naming the field and the rule it breaks
     */
    public static String require(String name, String field) throws AimException {
        Optional<String> problem = problem(name);
        if (problem.isPresent()) {
            throw new AimException(Status.Code.INVALID_ARGUMENT, CoreErrorReason.INVALID_IQN,
                    field + " \"" + printable(name)
                    + "\" is not a valid iSCSI name: it " + problem.get(), Map.of("field", field), null);
        }
        return name;
    }

    /** iSCSI names compare without regard to case (RFC 3722 normalizes them to lower case). */
    public static boolean same(String first, String second) {
        return first != null && second != null && first.equalsIgnoreCase(second);
    }

    /** Keeps messages readable when a client sent control characters or a huge string. */
    static String printable(String value) {
        if (value == null) {
            return "";
        }
        String shown = value.length() > 256 ? value.substring(0, 256) + "..." : value;
        StringBuilder text = new StringBuilder();
        shown.codePoints().forEach(c -> {
            if (Character.isISOControl(c)) {
                text.append(String.format("\\u%04x", c));
            } else {
                text.appendCodePoint(c);
            }
        });
        return text.toString();
    }
}
