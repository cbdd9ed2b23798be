package com.abiquo.aim.core.config;

/** A configuration that cannot be used; the message names the file, section, key and what is accepted. */
public final class ConfigException extends Exception {
    public ConfigException(String message) {
        super(message);
    }

    public ConfigException(String message, Throwable cause) {
        super(message, cause);
    }
}
