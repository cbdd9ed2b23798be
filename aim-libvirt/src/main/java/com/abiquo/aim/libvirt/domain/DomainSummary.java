package com.abiquo.aim.libvirt.domain;

/**
 * What AIM reports about a domain. Memory in bytes.
 *
 * @param state libvirt's virDomainState, or {@link com.abiquo.aim.libvirt.connection.DomainStates#GONE}
 * @param xml the domain's XML, or "" when not asked for
 */
public record DomainSummary(String uuid, String name, int state, int vcpus, long memoryBytes, long maxMemoryBytes,
                            boolean persistent, String xml) {
}
