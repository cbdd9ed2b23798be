package com.abiquo.aim.libvirt.connection;

import java.util.concurrent.atomic.AtomicBoolean;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.Logger;
import org.libvirt.Connect;
import org.libvirt.Library;
import org.libvirt.LibvirtException;
import org.libvirt.jna.Libvirt;

/**
 * libvirt's default event loop, once per process. It must be registered BEFORE the first {@code new Connect(...)}
 * or no event ever arrives, and one thread must run it for the life of the process: callbacks (lifecycle events,
 * close notifications, keepalive) all run there. The loop is never stopped: several connections (tests, a module
 * restarted in the same JVM) share it, and a daemon thread does not keep the JVM alive.
 */
public final class LibvirtEventLoop {
    private static final Logger LOG = LogManager.getLogger(LibvirtEventLoop.class);
    private static final AtomicBoolean STARTED = new AtomicBoolean();

    /**
     * libvirt prints every error to stderr unless an error callback is set; errors reach us as exceptions anyway.
     * Kept in a static field: JNA would otherwise let the native callback be collected.
     */
    private static final Libvirt.VirErrorCallback QUIET_ERRORS = (userData, error) -> { };

    private static volatile Thread thread;

    private LibvirtEventLoop() {
    }

    /** Registers the event loop and the quiet error callback and starts the loop thread, the first time only. */
    public static void ensureRunning() throws LibvirtException {
        if (!STARTED.compareAndSet(false, true)) {
            return;
        }
        try {
            Connect.setErrorCallback(QUIET_ERRORS);
            Library.initEventLoop();
        } catch (LibvirtException | RuntimeException | Error failure) {
            STARTED.set(false);
            throw failure;
        }
        Thread loop = new Thread(LibvirtEventLoop::run, "libvirt-event-loop");
        loop.setDaemon(true);
        loop.start();
        thread = loop;
    }

    /** Whether the calling thread is the event-loop thread (where callbacks must not call libvirt and block). */
    public static boolean onLoopThread() {
        return Thread.currentThread() == thread;
    }

    private static void run() {
        while (true) {
            try {
                Library.runEventLoop();
                LOG.warn("libvirt event loop returned; running it again");
            } catch (InterruptedException interrupted) {
                LOG.info("libvirt event loop interrupted; it stops");
                return;
            } catch (LibvirtException | RuntimeException failure) {
                // A failing iteration must not end event delivery for the rest of the process.
                LOG.error("libvirt event loop iteration failed; continuing", failure);
                try {
                    Thread.sleep(100);
                } catch (InterruptedException interrupted) {
                    return;
                }
            }
        }
    }
}
