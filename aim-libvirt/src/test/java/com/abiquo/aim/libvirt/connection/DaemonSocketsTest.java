package com.abiquo.aim.libvirt.connection;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class DaemonSocketsTest {
    private static final Map<String, String> ENV = Map.of("XDG_RUNTIME_DIR", "/run/user/1000", "HOME", "/home/u");

    @Test
    void systemUrisWatchTheModularAndTheMonolithicDaemonsSockets() {
        assertEquals(List.of(Path.of("/run/libvirt/virtqemud-sock"), Path.of("/run/libvirt/libvirt-sock")),
                DaemonSockets.of("qemu:///system", ENV));
        assertEquals(List.of(Path.of("/run/libvirt/virtqemud-sock"), Path.of("/run/libvirt/libvirt-sock")),
                DaemonSockets.of("qemu+unix:///system", ENV));
        assertEquals(List.of(Path.of("/run/libvirt/virtxend-sock"), Path.of("/run/libvirt/libvirt-sock")),
                DaemonSockets.of("xen:///system", ENV));
    }

    @Test
    void sessionUrisUseTheRuntimeFolder() {
        assertEquals(List.of(Path.of("/run/user/1000/libvirt/virtqemud-sock"),
                Path.of("/run/user/1000/libvirt/libvirt-sock")), DaemonSockets.of("qemu:///session", ENV));
        assertEquals(List.of(Path.of("/home/u/.cache/libvirt/virtqemud-sock"),
                Path.of("/home/u/.cache/libvirt/libvirt-sock")), DaemonSockets.of("qemu:///session",
                Map.of("HOME", "/home/u")));
    }

    @Test
    void aSocketParameterIsTheOnlySocket() {
        assertEquals(List.of(Path.of("/tmp/a b+c/libvirt-sock")),
                DaemonSockets.of("test+unix:///default?socket=/tmp/a%20b+c/libvirt-sock", ENV));
        assertEquals(List.of(Path.of("/tmp/x/sock")), DaemonSockets.of("qemu:///session?mode=legacy&socket=/tmp/x/sock",
                ENV));
    }

    @Test
    void remoteAndInProcessUrisHaveNoSocket() {
        for (String uri : List.of("qemu+ssh://root@host/system", "qemu+tcp://127.0.0.1:16509/system",
                "qemu://host/system", "qemu+tls://host/system", "test:///default", "esx://host/",
                "qemu:///embed?root=/tmp/x", "not a uri", "")) {
            assertEquals(List.of(), DaemonSockets.of(uri, ENV), uri);
        }
    }
}
