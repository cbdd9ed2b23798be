package com.abiquo.aim.rimp.net;

/** An interface GetNetInterfaces reports: its name and MAC address (lower case, colon-separated). */
public record NetInterface(String name, String macAddress) {
}
