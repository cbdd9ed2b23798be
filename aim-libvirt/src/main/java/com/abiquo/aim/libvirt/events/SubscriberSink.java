package com.abiquo.aim.libvirt.events;

/**
 * Where a subscription's items go: the gRPC stream in production. Calls come from one thread at a time: the
 * subscriber's drain, on the monitor's drain pool (never the libvirt callback thread, never the dispatcher).
 * Implementations must not block (gRPC's onNext buffers): one drain thread serves many subscribers in turn.
 */
public interface SubscriberSink {
    /** Whether the transport takes another item without buffering beyond its limit (flow control). */
    boolean isReady();

    void send(StreamItem item);

    /**
     * Ends the stream. Not called for {@link StreamEnd#CANCELLED}.
     *
     * @param message for the client: what happened and how to resume
     * @param resumeAfterSequence the sequence number to resume after (everything up to it was sent or did not match);
     *     0 when a snapshot (the initial one, or one of domains added by a modification) was not completely sent:
     *     there is no resume point then
     */
    void end(StreamEnd reason, String message, long resumeAfterSequence);
}
