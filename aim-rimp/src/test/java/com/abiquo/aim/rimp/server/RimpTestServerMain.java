package com.abiquo.aim.rimp.server;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * A real RimpService process on Netty (loopback), for the kill -9 test and scripts/bench-rimp.
 * Usage: RimpTestServerMain CONFIG_FILE [PORT]; prints "LISTENING <port>" once serving.
 */
public final class RimpTestServerMain {
    private RimpTestServerMain() {
    }

    public static void main(String[] args) throws Exception {
        Path config = Path.of(args[0]).toAbsolutePath();
        int port = args.length > 1 ? Integer.parseInt(args[1]) : 0;
        RimpServerHarness harness = RimpServerHarness.netty(Files.readString(config, StandardCharsets.UTF_8),
                config.getParent(), port);
        Runtime.getRuntime().addShutdownHook(new Thread(harness::close));
        System.out.println("LISTENING " + harness.port());
        System.out.flush();
        harness.awaitTermination();
    }
}
