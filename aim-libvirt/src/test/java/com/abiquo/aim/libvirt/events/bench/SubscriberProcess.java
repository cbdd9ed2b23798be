package com.abiquo.aim.libvirt.events.bench;

import com.abiquo.aim.v1.DomainRef;
import com.abiquo.aim.v1.EventFilter;
import com.abiquo.aim.v1.EventsMonitorServiceGrpc;
import com.abiquo.aim.v1.SubscribeRequest;
import com.abiquo.aim.v1.SubscribeResponse;
import io.grpc.ManagedChannel;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.grpc.stub.ClientCallStreamObserver;
import io.grpc.stub.ClientResponseObserver;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicIntegerArray;

/**
 * The benchmark's subscribers in a JVM of their own, as a controller's are in production (another process, here on
 * the same machine and cores): their garbage and their collections are not the agent's. Both processes read the same
 * clock (System.nanoTime is CLOCK_MONOTONIC), so receipt times here compare with callback times in the agent.
 *
 * <p>Protocol on stdout/stdin: {@code READY} once every stream is open; {@code ARRIVED k seq} when the k-th event
 * (from 0) has reached every subscriber; after {@code DUMP} on stdin, one line {@code R k seq t...} per event with
 * each subscriber's receipt time, then {@code END}.
 *
 * <p>Arguments: port, domain uuid, subscribers, streams per TCP connection, most events expected.
 */
public final class SubscriberProcess {
    private final int subscribers;
    private final long[][] receipts;
    private final long[] sequences;
    private final AtomicIntegerArray arrivals;
    private final PrintStream out;

    private SubscriberProcess(int subscribers, int maxEvents, PrintStream out) {
        this.subscribers = subscribers;
        this.receipts = new long[subscribers][maxEvents];
        this.sequences = new long[maxEvents];
        this.arrivals = new AtomicIntegerArray(maxEvents);
        this.out = out;
    }

    public static void main(String[] args) throws Exception {
        int port = Integer.parseInt(args[0]);
        String uuid = args[1];
        int count = Integer.parseInt(args[2]);
        int perChannel = Integer.parseInt(args[3]);
        int maxEvents = Integer.parseInt(args[4]);
        PrintStream out = new PrintStream(System.out, false, StandardCharsets.US_ASCII);
        SubscriberProcess process = new SubscriberProcess(count, maxEvents, out);
        List<ManagedChannel> channels = process.subscribeAll(port, uuid, perChannel);
        try (BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.US_ASCII))) {
            String line;
            while ((line = in.readLine()) != null) {
                if (line.equals("DUMP")) {
                    process.dump();
                    break;
                }
            }
        }
        channels.forEach(ManagedChannel::shutdownNow);
        System.exit(0);
    }

    private List<ManagedChannel> subscribeAll(int port, String uuid, int perChannel) throws InterruptedException {
        SubscribeRequest request = SubscribeRequest.newBuilder().setFilter(EventFilter.newBuilder()
                .addDomains(DomainRef.newBuilder().setUuid(uuid))).build();
        CountDownLatch started = new CountDownLatch(subscribers);
        List<ManagedChannel> channels = new ArrayList<>();
        EventsMonitorServiceGrpc.EventsMonitorServiceStub stub = null;
        for (int i = 0; i < subscribers; i++) {
            if (i % perChannel == 0) {
                // directExecutor: a default-executor client costs two thread hops per message.
                ManagedChannel channel = NettyChannelBuilder.forAddress("127.0.0.1", port).usePlaintext()
                        .directExecutor().disableRetry().build();
                channels.add(channel);
                stub = EventsMonitorServiceGrpc.newStub(channel);
            }
            stub.subscribe(request, new Receiver(i, started));
        }
        if (!started.await(60, TimeUnit.SECONDS)) {
            throw new IllegalStateException("subscriptions did not open within 60 s");
        }
        synchronized (out) {
            out.println("READY");
            out.flush();
        }
        return channels;
    }

    private void dump() {
        synchronized (out) {
            for (int k = 0; k < sequences.length && arrivals.get(k) == subscribers; k++) {
                StringBuilder line = new StringBuilder("R ").append(k).append(' ').append(sequences[k]);
                for (int i = 0; i < subscribers; i++) {
                    line.append(' ').append(receipts[i][k]);
                }
                out.println(line);
            }
            out.println("END");
            out.flush();
        }
    }

    private final class Receiver implements ClientResponseObserver<SubscribeRequest, SubscribeResponse> {
        private final int index;
        private final CountDownLatch started;
        private int received;

        Receiver(int index, CountDownLatch started) {
            this.index = index;
            this.started = started;
        }

        @Override
        public void beforeStart(ClientCallStreamObserver<SubscribeRequest> requestStream) {
            // nothing to send: the request is the subscription
        }

        @Override
        public void onNext(SubscribeResponse value) {
            if (value.hasStarted()) {
                started.countDown();
                return;
            }
            if (!value.hasEvent() || received >= sequences.length) {
                return;
            }
            long now = System.nanoTime();
            int k = received++;
            receipts[index][k] = now;
            if (index == 0) {
                sequences[k] = value.getEvent().getSequence();
            }
            if (arrivals.incrementAndGet(k) == subscribers) {
                synchronized (out) {
                    out.println("ARRIVED " + k + " " + value.getEvent().getSequence());
                    out.flush();
                }
            }
        }

        @Override
        public void onError(Throwable failure) {
            synchronized (out) {
                out.println("FAILED " + index + " " + failure);
                out.flush();
            }
        }

        @Override
        public void onCompleted() {
            // the benchmark ends the process
        }
    }
}
