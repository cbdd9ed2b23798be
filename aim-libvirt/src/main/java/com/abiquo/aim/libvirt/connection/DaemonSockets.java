package com.abiquo.aim.libvirt.connection;

import java.net.URI;
import java.net.URISyntaxException;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * The UNIX sockets a libvirt URI reaches its daemon through, when it is local. Watching them lets the connector
 * notice a restarted daemon at once instead of at its next backoff attempt; remote URIs (a host, or a transport
 * other than unix) have no socket here and keep the backoff alone.
 *
 * <p>Which socket libvirt's client picks: the URI's {@code ?socket=} parameter when there is one; otherwise, for
 * {@code /system}, the driver's modular daemon ({@code /run/libvirt/virtqemud-sock} for qemu) or the monolithic
 * libvirtd's {@code /run/libvirt/libvirt-sock}, whichever runs; for {@code /session} the same names under
 * {@code $XDG_RUNTIME_DIR/libvirt} (or {@code ~/.cache/libvirt}). Both candidates are watched: a daemon coming back
 * on either is what matters.
 */
final class DaemonSockets {
    /** Drivers that run inside the client process: no daemon, no socket (unless a transport is named). */
    private static final Set<String> IN_PROCESS = Set.of("test", "esx", "gsx", "vpx", "hyperv", "vmwareplayer",
            "vmwarews", "vmwarefusion", "openvz");
    private static final Path SYSTEM_RUN = Path.of("/run/libvirt");

    private DaemonSockets() {
    }

    /** The sockets to watch for this URI; empty for remote or in-process URIs and for URIs libvirt would refuse. */
    static List<Path> of(String uri, Map<String, String> environment) {
        URI parsed;
        try {
            parsed = new URI(uri);
        } catch (URISyntaxException malformed) {
            return List.of();
        }
        String scheme = parsed.getScheme();
        if (scheme == null || (parsed.getHost() != null && !parsed.getHost().isEmpty())
                || (parsed.getRawAuthority() != null && !parsed.getRawAuthority().isEmpty())) {
            return List.of();
        }
        String driver = scheme.toLowerCase(Locale.ROOT);
        String transport = "";
        int plus = driver.indexOf('+');
        if (plus >= 0) {
            transport = driver.substring(plus + 1);
            driver = driver.substring(0, plus);
        }
        if (!transport.isEmpty() && !transport.equals("unix")) {
            return List.of();   // ssh, tcp, tls, libssh...: a remote daemon, reached through the network
        }
        String socket = parameter(parsed.getRawQuery(), "socket");
        if (socket != null && !socket.isEmpty()) {
            return List.of(Path.of(socket));
        }
        if (transport.isEmpty() && IN_PROCESS.contains(driver)) {
            return List.of();
        }
        String path = parsed.getPath() == null ? "" : parsed.getPath();
        String daemonSocket = "virt" + driver + "d-sock";
        if (path.equals("/session")) {
            String runtime = environment.get("XDG_RUNTIME_DIR");
            Path folder = runtime != null && !runtime.isEmpty() ? Path.of(runtime, "libvirt")
                    : Path.of(environment.getOrDefault("HOME", "/root"), ".cache", "libvirt");
            return List.of(folder.resolve(daemonSocket), folder.resolve("libvirt-sock"));
        }
        if (path.equals("/embed")) {
            return List.of();   // an embedded driver runs in this process
        }
        return List.of(SYSTEM_RUN.resolve(daemonSocket), SYSTEM_RUN.resolve("libvirt-sock"));
    }

    private static String parameter(String rawQuery, String name) {
        if (rawQuery == null) {
            return null;
        }
        for (String pair : rawQuery.split("[&;]")) {
            int equals = pair.indexOf('=');
            String key = equals < 0 ? pair : pair.substring(0, equals);
            if (decode(key).equals(name)) {
                return equals < 0 ? "" : decode(pair.substring(equals + 1));
            }
        }
        return null;
    }

    /** libvirt's URIs escape with %XX only: a '+' is a plus, not a space as in HTML forms. */
    private static String decode(String text) {
        return URLDecoder.decode(text.replace("+", "%2B"), StandardCharsets.UTF_8);
    }
}
