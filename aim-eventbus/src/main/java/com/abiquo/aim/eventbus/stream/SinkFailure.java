package com.abiquo.aim.eventbus.stream;

/**
 * A sink could not store what it was given. The message is for the operator (what, where, what to check).
 */
public final class SinkFailure extends Exception {
    private static final long serialVersionUID = 1L;
    private final boolean gap;

    public SinkFailure(String message, Throwable cause) {
        this(message, cause, false);
    }

    /**
     * @param gap the sink refused an event but stored later ones: its copy has a hole that only a snapshot repairs
     */
    public SinkFailure(String message, Throwable cause, boolean gap) {
        super(message, cause);
        this.gap = gap;
    }

    public boolean gap() {
        return gap;
    }
}
