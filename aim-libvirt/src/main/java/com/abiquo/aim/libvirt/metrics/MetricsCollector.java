package com.abiquo.aim.libvirt.metrics;

import static java.util.Objects.requireNonNull;

import com.abiquo.aim.core.error.AimException;
import com.abiquo.aim.libvirt.connection.DomainStateReader;
import com.abiquo.aim.libvirt.connection.LibvirtConnection;
import com.abiquo.aim.libvirt.connection.LibvirtErrors;
import com.abiquo.aim.libvirt.domain.DomainXml;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.Logger;
import org.libvirt.Domain;
import org.libvirt.DomainBlockStats;
import org.libvirt.DomainInterfaceStats;
import org.libvirt.LibvirtException;
import org.w3c.dom.Document;

/**
 * Every [stats] collectFreqSeconds reads each running domain's CPU time, memory, per-disk and per-interface
 * counters into the {@link MetricsStore}. Device names come from the domain's live XML, re-read at most every
 * [stats] refreshFreqSeconds (devices rarely change; the XML is the expensive part). Runs on its own thread: a slow
 * libvirtd must not hold the server's shared scheduler.
 */
public final class MetricsCollector implements AutoCloseable {
    private static final Logger LOG = LogManager.getLogger(MetricsCollector.class);

    private record Devices(List<DomainXml.Disk> disks, List<DomainXml.Interface> interfaces, long readNanos) {
    }

    private final LibvirtConnection connection;
    private final MetricsStore store;
    private final Duration collectEvery;
    private final Duration refreshEvery;
    private final Clock clock;
    private final Map<String, Devices> devices = new ConcurrentHashMap<>();
    private final DomainReadings latest = new DomainReadings();
    private final ScheduledExecutorService timer;

    public MetricsCollector(LibvirtConnection connection, MetricsStore store, Duration collectEvery,
                            Duration refreshEvery, Clock clock) {
        this.connection = requireNonNull(connection, "connection is null");
        this.store = requireNonNull(store, "store is null");
        this.collectEvery = requireNonNull(collectEvery, "collectEvery is null");
        this.refreshEvery = requireNonNull(refreshEvery, "refreshEvery is null");
        this.clock = requireNonNull(clock, "clock is null");
        this.timer = Executors.newSingleThreadScheduledExecutor(runnable -> {
            Thread thread = new Thread(runnable, "libvirt-metrics");
            thread.setDaemon(true);
            return thread;
        });
    }

    /** The latest round, for /metrics (DomainMetricFamilies). */
    public DomainReadings latest() {
        return latest;
    }

    public Duration collectEvery() {
        return collectEvery;
    }

    public void start() {
        timer.scheduleWithFixedDelay(this::collectQuietly, collectEvery.toMillis(), collectEvery.toMillis(),
                TimeUnit.MILLISECONDS);
    }

    private void collectQuietly() {
        try {
            collectOnce();
        } catch (AimException failure) {
            latest.clear();
            LOG.debug("metrics not collected: {}", failure.getMessage());
        } catch (RuntimeException unexpected) {
            LOG.error("metrics collection failed", unexpected);
        }
    }

    /** One reading of every running domain; returns how many domains were measured. */
    public int collectOnce() throws AimException {
        long now = clock.millis();
        int measured = connection.call("collecting domain metrics", connect -> {
            Set<String> running = new HashSet<>();
            Map<String, DomainReadings.Reading> round = new HashMap<>();
            int count = 0;
            for (int id : connect.listDomains()) {
                Domain domain;
                try {
                    domain = connect.domainLookupByID(id);
                } catch (LibvirtException gone) {
                    continue; // stopped since the listing
                }
                try {
                    String uuid = domain.getUUIDString();
                    running.add(uuid);
                    List<MetricsStore.Sample> samples = sample(domain, uuid);
                    store.record(uuid, now, samples);
                    round.put(uuid, new DomainReadings.Reading(domain.getName(), uuid, samples));
                    count++;
                } catch (LibvirtException failure) {
                    if (LibvirtErrors.trueError(failure).code() != LibvirtErrors.NO_DOMAIN) {
                        LOG.debug("metrics of domain id {} not read: {}", id, failure.getMessage());
                    }
                } catch (AimException unreadable) {
                    // one domain with unreadable XML must not cost every other domain its reading
                    LOG.debug("metrics of domain id {} not read: {}", id, unreadable.getMessage());
                } finally {
                    domain.free();
                }
            }
            devices.keySet().retainAll(running);
            latest.replace(round);
            return count;
        });
        store.prune(now);
        return measured;
    }

    private List<MetricsStore.Sample> sample(Domain domain, String uuid) throws LibvirtException, AimException {
        List<MetricsStore.Sample> samples = new ArrayList<>();
        // not domain.getInfo(): it throws for a PM-suspended domain, which would end the whole round
        DomainStateReader.Reading info = DomainStateReader.read(domain);
        samples.add(new MetricsStore.Sample(MetricKind.CPU_TIME_NANOSECONDS, Map.of(), info.cpuTimeNanos()));
        samples.add(new MetricsStore.Sample(MetricKind.MEMORY_BYTES, Map.of(), info.memoryKib() * 1024L));
        samples.add(new MetricsStore.Sample(MetricKind.MAX_MEMORY_BYTES, Map.of(), info.maxMemoryKib() * 1024L));
        samples.add(new MetricsStore.Sample(MetricKind.VCPUS, Map.of(), info.vcpus()));
        Devices known = devicesOf(domain, uuid);
        for (DomainXml.Disk disk : known.disks()) {
            if (disk.source().isEmpty()) {
                continue; // an empty CD-ROM drive has no counters
            }
            DomainBlockStats stats;
            try {
                stats = domain.blockStats(disk.target());
            } catch (LibvirtException unreadable) {
                continue;
            }
            Map<String, String> device = Map.of("device", disk.target());
            samples.add(new MetricsStore.Sample(MetricKind.DISK_READ_BYTES, device, stats.rd_bytes));
            samples.add(new MetricsStore.Sample(MetricKind.DISK_READ_REQUESTS, device, stats.rd_req));
            samples.add(new MetricsStore.Sample(MetricKind.DISK_WRITE_BYTES, device, stats.wr_bytes));
            samples.add(new MetricsStore.Sample(MetricKind.DISK_WRITE_REQUESTS, device, stats.wr_req));
        }
        for (DomainXml.Interface nic : known.interfaces()) {
            if (nic.target().isEmpty()) {
                continue;
            }
            DomainInterfaceStats stats;
            try {
                stats = domain.interfaceStats(nic.target());
            } catch (LibvirtException unreadable) {
                continue;
            }
            Map<String, String> dimensions = nic.mac().isEmpty() ? Map.of("interface", nic.target())
                    : Map.of("interface", nic.target(), "mac", nic.mac());
            samples.add(new MetricsStore.Sample(MetricKind.INTERFACE_RX_BYTES, dimensions, stats.rx_bytes));
            samples.add(new MetricsStore.Sample(MetricKind.INTERFACE_RX_PACKETS, dimensions, stats.rx_packets));
            samples.add(new MetricsStore.Sample(MetricKind.INTERFACE_TX_BYTES, dimensions, stats.tx_bytes));
            samples.add(new MetricsStore.Sample(MetricKind.INTERFACE_TX_PACKETS, dimensions, stats.tx_packets));
        }
        return samples;
    }

    private Devices devicesOf(Domain domain, String uuid) throws LibvirtException, AimException {
        Devices known = devices.get(uuid);
        long now = System.nanoTime();
        if (known != null && now - known.readNanos() < refreshEvery.toNanos()) {
            return known;
        }
        Document xml = DomainXml.parse(domain.getXMLDesc(0), "the XML of domain " + uuid);
        Devices fresh = new Devices(DomainXml.disks(xml), DomainXml.interfaces(xml), now);
        devices.put(uuid, fresh);
        return fresh;
    }


    @Override
    public void close() {
        timer.shutdownNow();
    }
}
