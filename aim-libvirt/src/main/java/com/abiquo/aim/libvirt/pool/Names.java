package com.abiquo.aim.libvirt.pool;

import com.abiquo.aim.core.error.AimException;
import com.abiquo.aim.core.error.ErrorReason;
import com.abiquo.aim.libvirt.LibvirtErrorReason;
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
        if (name == null || name.isEmpty()) {
            throw invalid(LibvirtErrorReason.POOL_NAME_EMPTY, field, name, "is empty");
        }
        if (!STRICT_POOL.matcher(name).matches()) {
            throw invalid(LibvirtErrorReason.POOL_NAME_INVALID, field, name, "is not a valid pool name (1-64 letters, digits, '.', '_', '-'; not starting"
                    + " with '.' or '-')");
        }
        if (name.startsWith(LibvirtStoragePools.PROBE_PREFIX)) {
            // AIM removes leftover transient pools of that name, and their CHAP secrets, when it starts.
            throw invalid(LibvirtErrorReason.POOL_NAME_INVALID, field, name, "is reserved: names starting with " + LibvirtStoragePools.PROBE_PREFIX
                    + " are AIM's temporary pools");
        }
        return name;
    }

    public static String newVolumeName(String name, String field) throws AimException {
        if (name == null || name.isEmpty()) {
            throw invalid(LibvirtErrorReason.VOLUME_NAME_EMPTY, field, name, "is empty");
        }
        if (!STRICT_VOLUME.matcher(name).matches()) {
            throw invalid(LibvirtErrorReason.VOLUME_NAME_INVALID, field, name, "is not a valid volume name (1-255 letters, digits, '.', '_', '+', '-';"
                    + " not starting with '.', '+' or '-')");
        }
        return name;
    }

    /** The name of an existing pool, maybe made by others: see {@link #existingName}. */
    public static String existingPoolName(String name, String field) throws AimException {
        return existingName(name, field, LibvirtErrorReason.POOL_NAME_EMPTY, LibvirtErrorReason.POOL_NAME_INVALID);
    }

    /** The name of an existing volume, maybe made by others (a LUN's "unit:0:0:1"): see {@link #existingName}. */
    public static String existingVolumeName(String name, String field) throws AimException {
        return existingName(name, field, LibvirtErrorReason.VOLUME_NAME_EMPTY, LibvirtErrorReason.VOLUME_NAME_INVALID);
    }

    /**
     * Any existing libvirt name: not empty, at most 255 bytes in UTF-8, no '/' and no control characters. The
     * reasons are the pool's or the volume's, as the Libvirt service's own checks give them (one per condition).
     */
    private static String existingName(String name, String field, ErrorReason empty, ErrorReason invalid)
            throws AimException {
        if (name == null || name.isEmpty()) {
            throw invalid(empty, field, name, "is empty");
        }
        if (PathLimits.utf8Length(name) > PathLimits.NAME_MAX_BYTES || name.indexOf('/') >= 0
                || name.chars().anyMatch(Character::isISOControl)) {
            throw invalid(invalid, field, name, "is not a valid name (at most 255 bytes in UTF-8, no '/', "
                    + "no control characters)");
        }
        return name;
    }

    static AimException invalid(ErrorReason reason, String field, String value, String why) {
        String shown = value == null ? "" : value.length() > 100 ? value.substring(0, 100) + "..." : value;
        shown = shown.replaceAll("\\p{Cntrl}", "?");
        return new AimException(Status.Code.INVALID_ARGUMENT, reason, field + " \"" + shown + "\" " + why,
                Map.of("field", field), null);
    }
}
