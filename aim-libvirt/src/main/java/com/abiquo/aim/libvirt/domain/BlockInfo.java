package com.abiquo.aim.libvirt.domain;

/** Sizes of one of a domain's disks, in bytes, with its host path and guest target device. */
public record BlockInfo(long capacityBytes, long allocationBytes, long physicalBytes, String path, String target) {
}
