package com.abiquo.aim.server;

import java.util.function.Consumer;
import sun.misc.Signal;

/**
 * SIGTERM and SIGINT start a graceful stop; SIGHUP reloads what can change without a restart. A plain shutdown hook cannot do it: the JVM would then exit with
 * 143/130 instead of 0, and would run the stop concurrently with logging's own shutdown.
 */
final class Signals {
    private Signals() {
    }

    static void onTerminate(Consumer<String> handler) {
        for (String name : new String[] {"TERM", "INT"}) {
            Signal.handle(new Signal(name), signal -> handler.accept(signal.getName()));
        }
    }

    /** SIGHUP (systemctl reload): reload TLS files and [authorization]; the handler runs on the JVM's signal thread. */
    static void onHangUp(Runnable handler) {
        Signal.handle(new Signal("HUP"), signal -> handler.run());
    }
}
