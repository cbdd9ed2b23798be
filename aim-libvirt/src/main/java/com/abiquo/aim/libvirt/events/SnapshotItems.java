package com.abiquo.aim.libvirt.events;

import java.util.ArrayList;
import java.util.List;

/** The snapshot part of a stream: its start, the current state of every selected domain, its end. */
final class SnapshotItems {
    private SnapshotItems() {
    }

    /** @param asOf the journal's last sequence when the states were read */
    static List<StreamItem> of(Iterable<ResyncDiff.Known> known, SubscriptionFilter filter,
                               StreamItem.SnapshotReason reason, long asOf) {
        List<StreamItem> domains = new ArrayList<>();
        for (ResyncDiff.Known domain : known) {
            if (filter.selects(domain.uuid(), domain.name())) {
                domains.add(new StreamItem.SnapshotDomain(domain.uuid(), domain.name(), domain.state()));
            }
        }
        List<StreamItem> items = new ArrayList<>(domains.size() + 2);
        items.add(new StreamItem.SnapshotStart(reason, asOf, domains.size()));
        items.addAll(domains);
        items.add(new StreamItem.SnapshotEnd(reason, asOf));
        return items;
    }
}
