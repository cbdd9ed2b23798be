package com.abiquo.aim.libvirt.events.grpc;

import static java.util.Objects.requireNonNull;

import com.abiquo.aim.core.error.AimException;
import com.abiquo.aim.core.error.GrpcCalls;
import com.abiquo.aim.core.error.GrpcErrors;
import com.abiquo.aim.core.module.NodeIdentity;
import com.abiquo.aim.libvirt.LibvirtErrorReason;
import com.abiquo.aim.libvirt.domain.DomainSelector;
import com.abiquo.aim.libvirt.events.DomainKey;
import com.abiquo.aim.libvirt.events.EventJournal;
import com.abiquo.aim.libvirt.events.EventKind;
import com.abiquo.aim.libvirt.events.EventsMonitor;
import com.abiquo.aim.libvirt.events.StreamEnd;
import com.abiquo.aim.libvirt.events.StreamItem;
import com.abiquo.aim.libvirt.events.Subscriber;
import com.abiquo.aim.libvirt.events.SubscriptionFilter;
import com.abiquo.aim.libvirt.events.grpc.PreEncodedSubscribe.PreEncoded;
import com.abiquo.aim.v1.DomainEventKind;
import com.abiquo.aim.v1.DomainRef;
import com.abiquo.aim.v1.EventFilter;
import com.abiquo.aim.v1.EventsMonitorServiceGrpc;
import com.abiquo.aim.v1.ListEventsRequest;
import com.abiquo.aim.v1.ListEventsResponse;
import com.abiquo.aim.v1.ModifySubscriptionRequest;
import com.abiquo.aim.v1.ModifySubscriptionResponse;
import com.abiquo.aim.v1.SubscribeRequest;
import com.abiquo.aim.v1.SubscribeResponse;
import com.abiquo.aim.v1.UnsubscribeRequest;
import com.abiquo.aim.v1.UnsubscribeResponse;
import io.grpc.BindableService;
import io.grpc.ServerServiceDefinition;
import io.grpc.stub.ServerCallStreamObserver;
import io.grpc.stub.StreamObserver;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Function;
import java.util.function.Supplier;
import java.util.regex.Pattern;

/** The thin gRPC adapter of the EventsMonitor: validates requests, calls the monitor, maps results. */
public final class EventsMonitorGrpcService implements EventsMonitorServiceGrpc.AsyncService, BindableService {
    static final int MAX_DOMAINS = SubscriptionFilter.MAX_DOMAINS;
    static final int MAX_LIST_EVENTS = 10_000;
    static final int DEFAULT_LIST_EVENTS = 1_000;
    private static final int MAX_SUBSCRIPTION_ID_LENGTH = 128;
    private static final Pattern UUID = Pattern.compile(
            "[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}");

    private final Supplier<EventsMonitor> monitor;
    private final EventMessages messages;

    /** @param monitor the running monitor, or null while there is none (the service then answers UNAVAILABLE) */
    public EventsMonitorGrpcService(Supplier<EventsMonitor> monitor, NodeIdentity node) {
        this.monitor = requireNonNull(monitor, "monitor is null");
        this.messages = new EventMessages(requireNonNull(node, "node is null"));
    }

    /** Subscribe is bound with events serialized once for all subscribers (see {@link PreEncodedSubscribe}). */
    @Override
    public ServerServiceDefinition bindService() {
        return PreEncodedSubscribe.bind(EventsMonitorServiceGrpc.bindService(this), (request, observer) ->
                open(request, (ServerCallStreamObserver<Object>) observer, this::preEncoded));
    }

    /** Only reached when the generated binding is used directly: every item encoded per subscriber. */
    @Override
    @SuppressWarnings("unchecked")
    public void subscribe(SubscribeRequest request, StreamObserver<SubscribeResponse> responseObserver) {
        open(request, (ServerCallStreamObserver<Object>) (ServerCallStreamObserver<?>) responseObserver,
                messages::response);
    }

    private Object preEncoded(StreamItem item) {
        if (item instanceof StreamItem.Event event) {
            return event.entry().encoded(journaled -> PreEncoded.of(messages.eventResponse(journaled)));
        }
        return messages.response(item);
    }

    private void open(SubscribeRequest request, ServerCallStreamObserver<Object> observer,
                      Function<StreamItem, Object> encoder) {
        // Handlers first (they may only be set during this call), so no send can race with setting them.
        AtomicReference<Subscriber> opened = new AtomicReference<>();
        observer.setOnCancelHandler(() -> {
            Subscriber subscriber = opened.get();
            if (subscriber != null) {
                subscriber.end(StreamEnd.CANCELLED, "cancelled by the client");
            }
        });
        observer.setOnReadyHandler(() -> {
            Subscriber subscriber = opened.get();
            if (subscriber != null) {
                subscriber.signal();
            }
        });
        Subscriber subscriber;
        try {
            SubscriptionFilter filter = request.hasFilter() ? filter(request.getFilter(), "filter")
                    : SubscriptionFilter.allDomains(List.of());
            subscriber = monitor().subscribe(new EventsMonitor.SubscribeSpec(filter, request.getIncludeSnapshot(),
                    sequence(request.getResumeAfterSequence(), "resume_after_sequence")),
                    new GrpcSubscriberSink(observer, encoder));
        } catch (AimException | RuntimeException failure) {
            // A bug must still end this call with a status (logged by GrpcErrors), not leave it hanging.
            observer.onError(GrpcErrors.toStatusException(failure));
            return;
        }
        opened.set(subscriber);
        if (observer.isCancelled()) {
            // Cancelled before the subscriber was known to the handler.
            subscriber.end(StreamEnd.CANCELLED, "cancelled by the client");
        }
    }

    @Override
    public void modifySubscription(ModifySubscriptionRequest request,
                                   StreamObserver<ModifySubscriptionResponse> responseObserver) {
        GrpcCalls.unary(responseObserver, () -> {
            requireId(request.getSubscriptionId());
            List<DomainKey> add = keys(request.getAddDomainsList(), "add_domains");
            List<DomainKey> remove = keys(request.getRemoveDomainsList(), "remove_domains");
            EventsMonitor.ModifyResult result = monitor().modify(request.getSubscriptionId(), add, remove,
                    request.getIncludeSnapshot());
            return ModifySubscriptionResponse.newBuilder()
                    .setFilter(EventMessages.filter(result.filter()))
                    .setEffectiveAfterSequence(result.effectiveAfterSequence())
                    .build();
        });
    }

    @Override
    public void unsubscribe(UnsubscribeRequest request, StreamObserver<UnsubscribeResponse> responseObserver) {
        GrpcCalls.unary(responseObserver, () -> {
            requireId(request.getSubscriptionId());
            long last = monitor().unsubscribe(request.getSubscriptionId());
            return UnsubscribeResponse.newBuilder().setLastSentSequence(last).build();
        });
    }

    @Override
    public void listEvents(ListEventsRequest request, StreamObserver<ListEventsResponse> responseObserver) {
        GrpcCalls.unary(responseObserver, () -> {
            SubscriptionFilter filter = request.hasFilter() ? filter(request.getFilter(), "filter")
                    : SubscriptionFilter.allDomains(List.of());
            int max = request.getMaxEvents() == 0 ? DEFAULT_LIST_EVENTS : request.getMaxEvents();
            if (max < 0 || max > MAX_LIST_EVENTS) {
                throw invalid("max_events", "max_events " + Integer.toUnsignedString(request.getMaxEvents())
                        + " is out of range: 1 to " + MAX_LIST_EVENTS + " (0 means " + DEFAULT_LIST_EVENTS + ")");
            }
            EventsMonitor events = monitor();
            EventJournal journal = events.journal();
            EventJournal.Page page = events.listEvents(filter, sequence(request.getAfterSequence(), "after_sequence"),
                    max);
            ListEventsResponse.Builder response = ListEventsResponse.newBuilder()
                    .setNextAfterSequence(page.nextAfterSequence())
                    .setLastSequence(journal.lastSequence())
                    .setOldestSequence(journal.oldestSequence());
            page.events().forEach(event -> response.addEvents(messages.event(event)));
            return response.build();
        });
    }

    private EventsMonitor monitor() throws AimException {
        EventsMonitor current = monitor.get();
        if (current == null) {
            throw AimException.unavailable(LibvirtErrorReason.EVENT_SOURCE_MISSING, "the events monitor is not running: the libvirt "
                    + "connection is not available in this agent");
        }
        return current;
    }

    static SubscriptionFilter filter(EventFilter filter, String field) throws AimException {
        List<EventKind> kinds = new ArrayList<>();
        for (int i = 0; i < filter.getKindsCount(); i++) {
            DomainEventKind value = DomainEventKind.forNumber(filter.getKindsValue(i));
            EventKind kind = value == null ? null : EventMessages.kind(value);
            if (kind == null) {
                throw invalid(field + ".kinds", field + ".kinds[" + i + "] = " + filter.getKindsValue(i)
                        + " is not an event kind (DOMAIN_EVENT_KIND_CREATED .. DOMAIN_EVENT_KIND_UNKNOWN)");
            }
            kinds.add(kind);
        }
        Set<EventKind> unique = kinds.isEmpty() ? Set.of() : EnumSet.copyOf(kinds);
        if (filter.getAllDomains()) {
            if (filter.getDomainsCount() > 0) {
                throw invalid(field + ".domains", field + ": all_domains is true and " + filter.getDomainsCount()
                        + " domains are listed; set one or the other");
            }
            return SubscriptionFilter.allDomains(unique);
        }
        return SubscriptionFilter.domains(keys(filter.getDomainsList(), field + ".domains"), unique);
    }

    static List<DomainKey> keys(List<DomainRef> refs, String field) throws AimException {
        if (refs.size() > MAX_DOMAINS) {
            throw invalid(field, field + " lists " + refs.size() + " domains; at most " + MAX_DOMAINS);
        }
        List<DomainKey> keys = new ArrayList<>(refs.size());
        for (int i = 0; i < refs.size(); i++) {
            DomainRef ref = refs.get(i);
            String where = field + "[" + i + "]";
            switch (ref.getRefCase()) {
                case UUID -> {
                    if (!UUID.matcher(ref.getUuid()).matches()) {
                        throw invalid(field, where + ".uuid \"" + shorten(ref.getUuid())
                                + "\" is not a UUID (8-4-4-4-12 hexadecimal digits)");
                    }
                    keys.add(DomainKey.uuid(ref.getUuid()));
                }
                case NAME -> {
                    String name = ref.getName();
                    // the Libvirt service's rule (DomainSelector): a name it refuses can name no domain here either
                    if (name.isBlank() || name.length() > DomainSelector.MAX_NAME_LENGTH || name.indexOf('/') >= 0
                            || name.chars().anyMatch(Character::isISOControl)) {
                        throw invalid(field, where + ".name \"" + shorten(name.replaceAll("\\p{Cntrl}", "?"))
                                + "\" is not a domain name (empty, longer than " + DomainSelector.MAX_NAME_LENGTH
                                + " characters, or with '/' or a control character)");
                    }
                    keys.add(DomainKey.name(name));
                }
                default -> throw invalid(field, where + " sets neither uuid nor name");
            }
        }
        return keys;
    }

    private static void requireId(String id) throws AimException {
        if (id.isEmpty()) {
            throw invalid("subscription_id", "subscription_id is empty: use the id from the stream's first "
                    + "message (started.subscription_id)");
        }
        // an id AIM could have issued (a UUID) but has not open is NOT_FOUND; one that no id can look like is the
        // request's mistake
        if (id.length() > MAX_SUBSCRIPTION_ID_LENGTH || id.chars().anyMatch(Character::isISOControl)) {
            throw invalid("subscription_id", "subscription_id \"" + shorten(id.replaceAll("\\p{Cntrl}", "?"))
                    + "\" is not a subscription id (longer than " + MAX_SUBSCRIPTION_ID_LENGTH + " characters, or "
                    + "with a control character): use the id from the stream's first message (started.subscription_id)");
        }
    }

    /** A uint64 sequence from a request: AIM's are far below 2^63, so one at or above it was never issued. */
    private static long sequence(long value, String field) throws AimException {
        if (value < 0) {
            throw invalid(field, field + " " + Long.toUnsignedString(value) + " was never issued (sequences are"
                    + " below 2^63); give the last sequence received, or 0");
        }
        return value;
    }

    private static AimException invalid(String field, String message) {
        return new AimException(io.grpc.Status.Code.INVALID_ARGUMENT, LibvirtErrorReason.INVALID_EVENT_REQUEST, message,
                Map.of("field", field), null);
    }

    private static String shorten(String text) {
        return text.length() <= 80 ? text : text.substring(0, 77) + "...";
    }
}
