package com.abiquo.aim.rimp.net;

import static java.util.Objects.requireNonNull;

import com.abiquo.aim.core.error.AimException;
import com.abiquo.aim.rimp.copy.IoFailures;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * The node's network interfaces that a controller may put VLANs on: up, and not loopback, AIM's own
 * {@code abiquo_*} bridges, libvirt's {@code virbr*} bridges, {@code vnet*} guest taps or VLAN sub-interfaces.
 */
public final class NetInterfaces {
    public static final Path SYS_CLASS_NET = Path.of("/sys/class/net");
    private final Path sysClassNet;

    public NetInterfaces(Path sysClassNet) {
        this.sysClassNet = requireNonNull(sysClassNet, "sysClassNet is null");
    }

    public List<NetInterface> list() throws AimException {
        List<InterfaceFacts> facts = new ArrayList<>();
        try (DirectoryStream<Path> interfaces = Files.newDirectoryStream(sysClassNet)) {
            for (Path folder : interfaces) {
                facts.add(InterfaceFacts.parse(folder.getFileName().toString(), read(folder, "flags"),
                        read(folder, "address"), read(folder, "type"), read(folder, "uevent")));
            }
        } catch (IOException failure) {
            throw IoFailures.map("cannot list the network interfaces in " + sysClassNet, failure);
        }
        return select(facts);
    }

    /** The pure rule, tested on captured sysfs data. */
    static List<NetInterface> select(List<InterfaceFacts> facts) {
        List<NetInterface> chosen = new ArrayList<>();
        for (InterfaceFacts face : facts) {
            String name = face.name();
            boolean vlan = face.deviceType().equals("vlan") || name.contains(".");
            if (!face.up() || face.loopback() || vlan || name.startsWith("abiquo_") || name.startsWith("virbr")
                    || name.startsWith("vnet")) {
                continue;
            }
            chosen.add(new NetInterface(name, face.address()));
        }
        chosen.sort(Comparator.comparing(NetInterface::name));
        return chosen;
    }

    private static String read(Path folder, String file) {
        try {
            return Files.readString(folder.resolve(file), StandardCharsets.UTF_8);
        } catch (IOException | RuntimeException unreadable) {
            return ""; // some virtual interfaces have no address file
        }
    }
}
