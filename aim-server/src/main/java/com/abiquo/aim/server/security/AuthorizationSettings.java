package com.abiquo.aim.server.security;

import com.abiquo.aim.core.config.AimSettings;
import com.abiquo.aim.core.config.ConfigException;
import com.abiquo.aim.core.config.ConfigKey;
import com.abiquo.aim.core.config.ConfigSchema;
import java.util.List;

/**
 * The {@code [authorization]} section: which client certificates are readers and which are operators. Read at
 * start-up and again on SIGHUP.
 */
public final class AuthorizationSettings {
    public static final String SECTION = "authorization";

    private AuthorizationSettings() {
    }

    public static ConfigSchema schema() {
        String patterns = "comma-separated patterns matched against the client certificate's URI SANs, DNS SANs and "
                + "subject DN (RFC 2253, e.g. CN=controller\\,O=Abiquo: a comma inside a pattern is written \\,); "
                + "* matches any run of characters. ";
        return new ConfigSchema().section(SECTION,
                new ConfigKey("readers", "", patterns + "Readers may call every Get*, List*, Check*, DomainExists, "
                        + "Subscribe, ListEvents, NodeService, health and reflection. When neither readers nor "
                        + "operators is set, every client of [server] tlsClientCa is an operator"),
                new ConfigKey("operators", "", patterns + "Operators may call every method"));
    }

    /**
     * The policy aim.ini asks for. {@code mutualTls} says whether [server] tlsClientCa is set: roles come from client
     * certificates, so [authorization] without it is refused.
     */
    public static AccessPolicy from(AimSettings settings, boolean mutualTls) throws ConfigException {
        if (!configured(settings)) {
            return AccessPolicy.everyoneAnOperator();
        }
        if (!mutualTls) {
            throw new ConfigException(settings.source() + ": [" + SECTION + "] needs mutual TLS: roles are given by "
                    + "client certificates, so set [server] tlsCertificate, tlsKey and tlsClientCa");
        }
        return AccessPolicy.of(patterns(settings, "readers"), patterns(settings, "operators"));
    }

    /**
     * Whether roles are asked for: the section sets readers or operators (even to nothing). A bare section header,
     * as in the shipped aim.ini where every key is commented out, asks for nothing.
     */
    public static boolean configured(AimSettings settings) {
        return settings.sectionNames().contains(SECTION) && !settings.keys(SECTION).isEmpty();
    }

    private static List<IdentityPattern> patterns(AimSettings settings, String key) {
        return IdentityPattern.parseList(settings.string(SECTION, key, ""));
    }
}
