package com.abiquo.aim.core.module;

/**
 * Who this node is: the host name and the address controllers reach it on (the original AIM put the node's
 * address in every event).
 */
public record NodeIdentity(String hostname, String address) {
}
