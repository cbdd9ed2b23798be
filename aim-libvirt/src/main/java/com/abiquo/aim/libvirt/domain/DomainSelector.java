package com.abiquo.aim.libvirt.domain;

import com.abiquo.aim.core.error.AimException;
import com.abiquo.aim.core.error.ErrorReason;
import com.abiquo.aim.libvirt.LibvirtErrorReason;
import io.grpc.Status;
import java.util.Map;
import java.util.UUID;

/** A validated reference to one domain: by uuid (canonical lower-case form) or by name. */
public record DomainSelector(String uuid, String name) {
    public static final int MAX_NAME_LENGTH = 255;

    public static DomainSelector byUuid(String uuid) throws AimException {
        if (uuid == null || uuid.isBlank()) {
            throw invalid(LibvirtErrorReason.DOMAIN_UUID_EMPTY, "domain.uuid is empty");
        }
        try {
            String canonical = UUID.fromString(uuid.strip()).toString();
            if (!canonical.equalsIgnoreCase(uuid.strip())) {
                throw new IllegalArgumentException("not canonical");
            }
            return new DomainSelector(canonical, null);
        } catch (IllegalArgumentException notUuid) {
            throw invalid(LibvirtErrorReason.DOMAIN_UUID_INVALID, "domain.uuid \"" + shorten(uuid)
                    + "\" is not a UUID (expected 8-4-4-4-12 hexadecimal digits)");
        }
    }

    public static DomainSelector byName(String name) throws AimException {
        checkName(name, "domain.name");
        return new DomainSelector(null, name);
    }

    /** libvirt accepts nearly any name, but not these: they can only be a client's mistake. */
    static void checkName(String name, String field) throws AimException {
        if (name == null || name.isEmpty()) {
            throw invalid(LibvirtErrorReason.DOMAIN_NAME_EMPTY, field + " is empty");
        }
        if (name.length() > MAX_NAME_LENGTH) {
            throw invalid(LibvirtErrorReason.DOMAIN_NAME_TOO_LONG,
                    field + " is " + name.length() + " characters long; at most "
                    + MAX_NAME_LENGTH + " are allowed");
        }
        for (int i = 0; i < name.length(); i++) {
            char c = name.charAt(i);
            if (Character.isISOControl(c) || c == '/') {
                throw invalid(LibvirtErrorReason.DOMAIN_NAME_INVALID, field + " \"" + shorten(name)
                        + "\" contains a control character or '/'");
            }
        }
    }

    public boolean byUuid() {
        return uuid != null;
    }

    /** How messages name the domain: "domain uuid '…'" or "domain 'name'". */
    public String describe() {
        return byUuid() ? "domain uuid '" + uuid + "'" : "domain '" + name + "'";
    }

    private static AimException invalid(ErrorReason reason, String message) {
        return new AimException(Status.Code.INVALID_ARGUMENT, reason, message, Map.of("field", "domain"), null);
    }

    private static String shorten(String text) {
        return text.length() <= 80 ? text : text.substring(0, 77) + "...";
    }
}
