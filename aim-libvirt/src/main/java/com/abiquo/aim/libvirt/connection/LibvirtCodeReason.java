package com.abiquo.aim.libvirt.connection;

import com.abiquo.aim.core.error.ErrorReason;
import java.util.List;
import java.util.stream.IntStream;

/**
 * The reason of a failure libvirt reported: {@code LIBVIRT_} and libvirt's error code name (libvirt 9.0's
 * virErrorNumber), e.g. {@code LIBVIRT_DOM_EXIST}; a code this table does not name (a newer libvirt, or one
 * libvirt-java clamped) is {@code LIBVIRT_UNKNOWN}, its number in the metadata. One value per code, built here only,
 * so the set is closed and each is listed in libvirt.proto's {@code LibvirtErrorReason}.
 */
public final class LibvirtCodeReason implements ErrorReason {
    private static final List<LibvirtCodeReason> BY_CODE = IntStream.range(0, LibvirtErrors.codeCount())
            .mapToObj(code -> new LibvirtCodeReason("LIBVIRT_" + LibvirtErrors.codeName(code)))
            .toList();
    public static final LibvirtCodeReason UNKNOWN = new LibvirtCodeReason("LIBVIRT_UNKNOWN");

    private final String name;

    private LibvirtCodeReason(String name) {
        this.name = name;
    }

    /** The reason for libvirt's error code {@code code}. */
    public static LibvirtCodeReason of(int code) {
        return code >= 0 && code < BY_CODE.size() ? BY_CODE.get(code) : UNKNOWN;
    }

    /** Every reason of this kind, for the catalogue test. */
    public static List<LibvirtCodeReason> all() {
        return java.util.stream.Stream.concat(BY_CODE.stream(), java.util.stream.Stream.of(UNKNOWN)).toList();
    }

    @Override
    public String name() {
        return name;
    }

    @Override
    public String toString() {
        return name;
    }
}
