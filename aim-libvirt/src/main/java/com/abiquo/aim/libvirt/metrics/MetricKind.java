package com.abiquo.aim.libvirt.metrics;

/** The counters collected from each running domain (units in the names; cumulative ones say so in the proto). */
public enum MetricKind {
    CPU_TIME_NANOSECONDS,
    MEMORY_BYTES,
    MAX_MEMORY_BYTES,
    VCPUS,
    DISK_READ_BYTES,
    DISK_READ_REQUESTS,
    DISK_WRITE_BYTES,
    DISK_WRITE_REQUESTS,
    INTERFACE_RX_BYTES,
    INTERFACE_RX_PACKETS,
    INTERFACE_TX_BYTES,
    INTERFACE_TX_PACKETS
}
