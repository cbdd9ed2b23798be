package com.abiquo.aim.client;

/**
 * A user's handler threw: the watcher gives up what it was reading and goes back to its cursor, so the change comes
 * again (gRPC: the stream is resumed; Redis: the entry stays pending, unacknowledged).
 */
final class HandlerFailure extends RuntimeException {
    private static final long serialVersionUID = 1L;

    HandlerFailure(Throwable cause) {
        super(cause);
    }
}
