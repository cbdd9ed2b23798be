package com.abiquo.aim.rimp.net;

import java.util.Locale;

/**
 * What sysfs says about one interface ({@code /sys/class/net/<name>/{flags,address,type,uevent}}), already parsed.
 *
 * @param flags the interface flags (IFF_UP = 0x1, IFF_LOOPBACK = 0x8)
 * @param type the ARP hardware type (1 = Ethernet, 772 = loopback)
 * @param deviceType DEVTYPE from uevent ("vlan", "bridge", ...), empty when none
 */
public record InterfaceFacts(String name, int flags, String address, int type, String deviceType) {
    static final int IFF_UP = 0x1;
    static final int IFF_LOOPBACK = 0x8;

    /** Parses the raw text of the sysfs files; unreadable numbers count as 0. */
    public static InterfaceFacts parse(String name, String flags, String address, String type, String uevent) {
        String deviceType = "";
        for (String line : uevent.split("\n")) {
            if (line.startsWith("DEVTYPE=")) {
                deviceType = line.substring("DEVTYPE=".length()).strip();
            }
        }
        return new InterfaceFacts(name, parseNumber(flags), address.strip().toLowerCase(Locale.ROOT),
                parseNumber(type), deviceType);
    }

    public boolean up() {
        return (flags & IFF_UP) != 0;
    }

    public boolean loopback() {
        return (flags & IFF_LOOPBACK) != 0 || type == 772 || name.equals("lo");
    }

    private static int parseNumber(String text) {
        String value = text.strip();
        try {
            return value.startsWith("0x") ? Integer.parseUnsignedInt(value.substring(2), 16) : Integer.parseInt(value);
        } catch (NumberFormatException unreadable) {
            return 0;
        }
    }
}
