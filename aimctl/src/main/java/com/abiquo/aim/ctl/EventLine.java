package com.abiquo.aim.ctl;

import com.abiquo.aim.v1.DomainEvent;
import com.abiquo.aim.v1.DomainSnapshot;
import com.google.protobuf.util.Timestamps;

/** One human line per event, like virsh event --loop: time, sequence, domain, what happened, state after. */
final class EventLine {
    private EventLine() {
    }

    static String of(DomainEvent event) {
        return Timestamps.toString(event.getTime()) + "  #" + Long.toUnsignedString(event.getSequence()) + "  "
                + event.getDomainName() + "  " + Output.shortName(event.getKind(), "DOMAIN_EVENT_KIND_") + " ("
                + event.getLibvirtEvent() + ")  -> " + Output.shortName(event.getState(), "DOMAIN_STATE_")
                + (event.getResync() ? "  [resync]" : "");
    }

    static String snapshot(DomainSnapshot domain) {
        return "snapshot  " + domain.getDomainName() + "  -> " + Output.shortName(domain.getState(), "DOMAIN_STATE_")
                + "  [events were missed]";
    }

    static String deleted(DomainSnapshot domain) {
        return "snapshot  " + domain.getDomainName() + "  -> GONE  [events were missed]";
    }
}
