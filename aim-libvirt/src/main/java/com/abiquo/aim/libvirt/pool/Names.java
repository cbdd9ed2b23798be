package com.abiquo.aim.libvirt.pool;

import com.abiquo.aim.core.error.AimException;
import com.abiquo.aim.core.error.CoreErrorReason;
import com.abiquo.aim.core.path.PathLimits;
import io.grpc.Status;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * Names of pools and volumes. What AIM creates gets a strict name (it becomes a file name and a libvirt name);
 * lookups are lenient so that pools made by others (and LUN volumes such as "unit:0:0:1") can still be used.
 */
public final class Names {
    private static final Pattern STRICT_POOL = Pattern.compile("[A-Za-z0-9_][A-Za-z0-9._-]{0,63}");
    private static final Pattern STRICT_VOLUME = Pattern.compile("[A-Za-z0-9_][A-Za-z0-9._+-]{0,254}");

    private Names() {
    }

    public static String newPoolName(String name, String field) throws AimException {
        if (name == null || !STRICT_POOL.matcher(name).matches()) {
            throw invalid(field, name, "is not a valid pool name (1-64 letters, digits, '.', '_', '-'; not starting"
                    + " with '.' or '-')");
        }
        if (name.startsWith(LibvirtStoragePools.PROBE_PREFIX)) {
            // AIM removes leftover transient pools of that name, and their CHAP secrets, when it starts.
            throw invalid(field, name, "is reserved: names starting with " + LibvirtStoragePools.PROBE_PREFIX
                    + " are AIM's temporary pools");
        }
        return name;
    }

    public static String newVolumeName(String name, String field) throws AimException {
        if (name == null || !STRICT_VOLUME.matcher(name).matches()) {
            throw invalid(field, name, "is not a valid volume name (1-255 letters, digits, '.', '_', '+', '-';"
                    + " not starting with '.', '+' or '-')");
        }
        return name;
    }

    /** Any existing libvirt name: not empty, at most 255 bytes in UTF-8, no '/' and no control characters. */
    public static String existingName(String name, String field) throws AimException {
        if (name == null || name.isEmpty()) {
            throw invalid(field, name, "is empty");
        }
        if (PathLimits.utf8Length(name) > PathLimits.NAME_MAX_BYTES || name.indexOf('/') >= 0
                || name.chars().anyMatch(Character::isISOControl)) {
            throw invalid(field, name, "is not a valid name (at most 255 bytes in UTF-8, no '/', "
                    + "no control characters)");
        }
        return name;
    }

    static AimException invalid(String field, String value, String why) {
        String shown = value == null ? "" : value.length() > 100 ? value.substring(0, 100) + "..." : value;
        shown = shown.replaceAll("\\p{Cntrl}", "?");
        return new AimException(Status.Code.INVALID_ARGUMENT, CoreErrorReason.INVALID_NAME, field + " \"" + shown + "\" " + why,
                Map.of("field", field), null);
    }
}
