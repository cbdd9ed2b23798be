package com.abiquo.aim.libvirt.events.grpc;

import com.abiquo.aim.core.error.AimException;
import com.abiquo.aim.libvirt.events.EventKind;
import com.abiquo.aim.libvirt.events.MonitorEvent;
import com.abiquo.aim.libvirt.events.SubscriptionFilter;
import com.abiquo.aim.libvirt.events.VmState;
import com.abiquo.aim.v1.DomainRef;
import com.abiquo.aim.v1.EventFilter;
import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.FuzzTest;
import io.grpc.Status;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.UUID;

/**
 * Fuzzes the event filters of Subscribe and ModifySubscription: a random EventFilter (kinds in and out of the enum,
 * uuids valid or not and in any case, names of any text, all_domains with or without domains) is either refused
 * with INVALID_ARGUMENT or becomes a filter that selects exactly what was asked, checked against a plain model on
 * events of the listed domains and of another one, before and after a modification at a random sequence: a
 * domain added later sees only later events, a removed one none. A wrong match is a subscriber missing a power-off
 * or receiving another tenant's domain.
 */
class EventFilterFuzzTest {
    @FuzzTest(maxDuration = "5s")
    void filterSelectsExactlyWhatWasAsked(FuzzedDataProvider data) {
        EventFilter request = request(data);
        List<DomainRef> add = refs(data);
        List<DomainRef> remove = refs(data);
        long after = data.consumeLong(0, Long.MAX_VALUE - 1);
        SubscriptionFilter filter;
        SubscriptionFilter modified;
        try {
            filter = EventsMonitorGrpcService.filter(request, "filter");
            modified = filter.modified(EventsMonitorGrpcService.keys(add, "add"),
                    EventsMonitorGrpcService.keys(remove, "remove"), after);
        } catch (AimException refused) {
            if (refused.code() != Status.Code.INVALID_ARGUMENT) {
                throw new AssertionError(request + " was refused as " + refused.code(), refused);
            }
            return;
        }
        Model model = new Model(request);
        Model modifiedModel = model.modified(add, remove, after);
        List<DomainRef> probes = new ArrayList<>(request.getDomainsList());
        probes.addAll(add);
        probes.add(DomainRef.newBuilder().setName("another-" + data.consumeString(8)).build());
        for (DomainRef probe : probes) {
            String uuid = probe.hasUuid() ? probe.getUuid().toUpperCase(Locale.ROOT) : UUID.randomUUID().toString();
            String name = probe.hasName() ? probe.getName() : "unnamed";
            for (long sequence : new long[] {after, after + 1}) {
                EventKind kind = data.pickValue(EventKind.values());
                MonitorEvent event = new MonitorEvent(sequence, 0, 0, uuid, name, kind, 0, 0, "FUZZ",
                        VmState.RUNNING, false);
                check(filter, model, event, request);
                check(modified, modifiedModel, event, request);
            }
        }
    }

    private static void check(SubscriptionFilter filter, Model model, MonitorEvent event, EventFilter request) {
        if (filter.matches(event) != model.matches(event)) {
            throw new AssertionError("filter " + filter + " from " + request + " answered " + filter.matches(event)
                    + " for " + event);
        }
    }

    private static EventFilter request(FuzzedDataProvider data) {
        EventFilter.Builder filter = EventFilter.newBuilder().setAllDomains(data.consumeBoolean());
        int kinds = data.consumeInt(0, 4);
        for (int i = 0; i < kinds; i++) {
            filter.addKindsValue(data.consumeInt(-1, 13));
        }
        filter.addAllDomains(refs(data));
        return filter.build();
    }

    private static List<DomainRef> refs(FuzzedDataProvider data) {
        List<DomainRef> refs = new ArrayList<>();
        int count = data.consumeInt(0, 3);
        for (int i = 0; i < count; i++) {
            switch (data.consumeInt(0, 3)) {
                case 0 -> refs.add(DomainRef.newBuilder().setUuid(new UUID(data.consumeLong(), data.consumeLong())
                        .toString().toUpperCase(Locale.ROOT)).build());
                case 1 -> refs.add(DomainRef.newBuilder().setUuid(new UUID(data.consumeLong(), data.consumeLong())
                        .toString()).build());
                case 2 -> refs.add(DomainRef.newBuilder().setUuid(data.consumeString(40)).build());
                default -> refs.add(DomainRef.newBuilder().setName(data.consumeString(20)).build());
            }
        }
        return refs;
    }

    /** What a filter means, written plainly: each watched domain with the sequence after which it counts. */
    private record Model(boolean allDomains, List<Integer> kinds, Map<String, Long> uuids, Map<String, Long> names) {
        Model(EventFilter request) {
            this(request.getAllDomains(), request.getKindsValueList(), new HashMap<>(), new HashMap<>());
            for (DomainRef ref : request.getDomainsList()) {
                put(ref, 0L, false);
            }
        }

        Model modified(List<DomainRef> add, List<DomainRef> remove, long after) {
            Model next = new Model(allDomains, kinds, new HashMap<>(uuids), new HashMap<>(names));
            if (allDomains) {
                return next;
            }
            for (DomainRef ref : remove) {
                if (ref.hasUuid()) {
                    next.uuids.remove(ref.getUuid().toLowerCase(Locale.ROOT));
                } else {
                    next.names.remove(ref.getName());
                }
            }
            for (DomainRef ref : add) {
                next.put(ref, after, true);
            }
            return next;
        }

        private void put(DomainRef ref, long after, boolean keepEarlier) {
            Map<String, Long> points = ref.hasUuid() ? uuids : names;
            String key = ref.hasUuid() ? ref.getUuid().toLowerCase(Locale.ROOT) : ref.getName();
            if (!keepEarlier || !points.containsKey(key)) {
                points.put(key, after);
            }
        }

        boolean matches(MonitorEvent event) {
            // DomainEventKind numbers 1..11 are CREATED..UNKNOWN, in EventKind's order
            if (!kinds.isEmpty() && !kinds.contains(event.kind().ordinal() + 1)) {
                return false;
            }
            if (allDomains) {
                return true;
            }
            Long byUuid = uuids.get(event.uuid().toLowerCase(Locale.ROOT));
            Long byName = names.get(event.name());
            return (byUuid != null && event.sequence() > byUuid) || (byName != null && event.sequence() > byName);
        }
    }
}
