package com.abiquo.aim.testing;

import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Loopback ports for a server a test starts (or starts again) after the port was picked. A port from
 * {@code new ServerSocket(0)} lies in the kernel's ephemeral range, which the kernel also hands to outgoing connections
 * (a client retrying against a killed server, any other process): one of them can take the port before the server
 * binds it again. {@link #reusable()} picks from below that range instead, where the kernel never picks by itself.
 */
public final class Ports {
    /** Below this lie well-known and commonly registered services' ports. */
    private static final int LOWEST = 20000;
    private static final Path EPHEMERAL_RANGE = Path.of("/proc/sys/net/ipv4/ip_local_port_range");
    /** A random start, so parallel test JVMs are unlikely to try the same ports; then on, so one JVM never repeats. */
    private static final AtomicInteger NEXT = new AtomicInteger(ThreadLocalRandom.current().nextInt(1 << 20));

    private Ports() {
    }

    /** A port free now (checked with a bind) and outside the ephemeral range, kept for the server that will bind it. */
    public static int reusable() throws IOException {
        int highest = ephemeralLow() - 1;
        if (highest < LOWEST) {
            throw new IOException("no port between " + LOWEST + " and the ephemeral range of " + EPHEMERAL_RANGE);
        }
        int count = highest - LOWEST + 1;
        for (int attempt = 0; attempt < count; attempt++) {
            int port = LOWEST + Math.floorMod(NEXT.getAndIncrement(), count);
            try (ServerSocket probe = new ServerSocket(port)) {
                return port;
            } catch (IOException taken) {
                // someone listens there: the next one
            }
        }
        throw new IOException("no free port between " + LOWEST + " and " + highest);
    }

    private static int ephemeralLow() throws IOException {
        if (!Files.isReadable(EPHEMERAL_RANGE)) {
            return 32768; // Linux's default low end (the IANA range starts higher, at 49152)
        }
        // by lines: Files.readString trusts the size /proc reports (0) and returns a part of the text
        return Integer.parseInt(Files.readAllLines(EPHEMERAL_RANGE).get(0).trim().split("\\s+")[0]);
    }
}
