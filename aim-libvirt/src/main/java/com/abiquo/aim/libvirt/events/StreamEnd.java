package com.abiquo.aim.libvirt.events;

/** Why a subscription ended. */
public enum StreamEnd {
    /** The client unsubscribed: the stream completes normally. */
    UNSUBSCRIBED,
    /** The subscriber fell too far behind: it must resume by sequence number (RESOURCE_EXHAUSTED). */
    OVERFLOW,
    /** The agent is stopping (UNAVAILABLE). */
    SHUTDOWN,
    /** Sending failed in the agent (a bug): the stream ends with INTERNAL; the client resumes by sequence number. */
    FAILED,
    /** The client cancelled the stream: nothing more can be sent. */
    CANCELLED
}
