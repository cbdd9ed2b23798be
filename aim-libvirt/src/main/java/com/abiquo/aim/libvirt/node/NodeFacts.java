package com.abiquo.aim.libvirt.node;

/**
 * The hypervisor node as libvirt describes it. {@code cores} is sockets x NUMA cells x cores per socket, as the
 * original AIM computed it. Versions are "major.minor.release".
 */
public record NodeFacts(String hostname, String libvirtVersion, String hypervisorType, String hypervisorVersion,
                        int cores, int sockets, int numaCells, int coresPerSocket, int threadsPerCore,
                        int logicalCpus, int cpuMhz, String cpuModel, String cpuArchitecture, long memoryBytes,
                        long freeMemoryBytes, String uri) {
}
