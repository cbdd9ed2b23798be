package com.abiquo.aim.core.config;

import java.util.regex.Pattern;

/**
 * Hides the user information of every URL in a text. A setting such as {@code [eventbus] url} may hold a password
 * in any shape ({@code redis://:secret@host}, {@code redis://secret@host}, {@code redis://user:secret@host}), and a
 * message that echoes such a value must not carry it into a log, a health reason or syslog.
 */
public final class UrlCredentials {
    public static final String MASK = "***";

    // scheme "://" then anything up to the last '@' before white space: the user information, whatever it holds
    private static final Pattern USER_INFO = Pattern.compile("([A-Za-z][A-Za-z0-9+.-]*://)[^\\s\"]*@");

    private UrlCredentials() {
    }

    /** {@code text} with the user information of each URL replaced by {@value #MASK}. */
    public static String mask(String text) {
        return text == null ? null : USER_INFO.matcher(text).replaceAll("$1" + MASK + "@");
    }
}
