package com.abiquo.aim.dist.bench;

import com.abiquo.aim.v1.DefineDomainRequest;
import com.abiquo.aim.v1.DomainRef;
import com.abiquo.aim.v1.LibvirtServiceGrpc;
import com.abiquo.aim.v1.LibvirtServiceGrpc.LibvirtServiceBlockingStub;
import com.abiquo.aim.v1.PowerOffDomainRequest;
import com.abiquo.aim.v1.PowerOnDomainRequest;
import com.abiquo.aim.v1.UndefineDomainRequest;
import io.grpc.ManagedChannel;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * One node's churn, as a controller drives it: a domain of libvirt's test driver defined, powered on, powered off and
 * undefined through the agent's gRPC API (four journaled events per cycle), then the next one, until stopped.
 */
final class FleetChurn implements Runnable {
    private final LibvirtServiceBlockingStub libvirt;
    private final String prefix;
    private final long pauseMillis;
    private final AtomicLong cycles = new AtomicLong();
    private volatile boolean stopped;
    private volatile Exception failure;

    FleetChurn(ManagedChannel channel, String prefix, long pauseMillis) {
        this.libvirt = LibvirtServiceGrpc.newBlockingStub(channel);
        this.prefix = prefix;
        this.pauseMillis = pauseMillis;
    }

    @Override
    public void run() {
        try {
            while (!stopped) {
                cycle("%s-%d".formatted(prefix, cycles.get()));
                cycles.incrementAndGet();
            }
        } catch (Exception failed) {
            failure = failed;
        }
    }

    private void cycle(String name) throws InterruptedException {
        DomainRef domain = DomainRef.newBuilder().setName(name).build();
        stub().defineDomain(DefineDomainRequest.newBuilder().setXml("<domain type='test'><name>" + name
                + "</name><memory unit='MiB'>8</memory><os><type>hvm</type></os></domain>").build());
        pause();
        stub().powerOnDomain(PowerOnDomainRequest.newBuilder().setDomain(domain).build());
        pause();
        stub().powerOffDomain(PowerOffDomainRequest.newBuilder().setDomain(domain).build());
        pause();
        stub().undefineDomain(UndefineDomainRequest.newBuilder().setDomain(domain).build());
        pause();
    }

    private LibvirtServiceBlockingStub stub() {
        return libvirt.withDeadlineAfter(30, TimeUnit.SECONDS);
    }

    /** The churn's pace (operations per second per node), not a synchronisation. */
    private void pause() throws InterruptedException {
        Thread.sleep(pauseMillis);
    }

    void stop() {
        stopped = true;
    }

    long operations() {
        return cycles.get() * 4;
    }

    /** The first error of the churn, or null. */
    Exception failure() {
        return failure;
    }
}
