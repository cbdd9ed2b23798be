package com.abiquo.aim.network;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;

/**
 * Minimal stand-ins for RHEL initscripts' ifup and ifdown (not installable on Debian): they read the named ifcfg
 * file from the scripts folder and do with ip what the real ones do for a bridge or a VLAN, and append each call to
 * calls.log next to them. They run inside the namespace (AIM calls them through `ip netns exec`).
 */
final class FakeInitscripts {
    private FakeInitscripts() {
    }

    /** Writes ifup and ifdown into {@code bin}; returns the ifup path. */
    static Path write(Path bin, Path scripts) throws IOException {
        String read = "#!/bin/sh\nset -e\necho \"$(basename \"$0\") $1\" >> '" + bin.resolve("calls.log") + "'\n"
                + ". '" + scripts + "'/\"$1\"\n";
        Path ifup = bin.resolve("ifup");
        Files.writeString(ifup, read
                + "if [ \"$TYPE\" = Bridge ]; then ip link add name \"$DEVICE\" type bridge; "
                + "ip link set \"$DEVICE\" up; exit 0; fi\n"
                + "ip link add link \"${DEVICE%.*}\" name \"$DEVICE\" type vlan id \"${DEVICE##*.}\"\n"
                + "ip link set \"$DEVICE\" master \"$BRIDGE\"\nip link set \"$DEVICE\" up\n");
        Path ifdown = bin.resolve("ifdown");
        Files.writeString(ifdown, read + "ip link delete dev \"$DEVICE\"\n");
        for (Path program : new Path[] {ifup, ifdown}) {
            Files.setPosixFilePermissions(program, PosixFilePermissions.fromString("rwxr-xr-x"));
        }
        return ifup;
    }
}
