package com.abiquo.aim.network;

import com.abiquo.aim.core.config.AimSettings;
import com.abiquo.aim.core.config.ConfigException;
import com.abiquo.aim.core.config.ConfigKey;
import com.abiquo.aim.core.config.ConfigSchema;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * The [vlan] section of aim.ini.
 *
 * @param networkScripts where the ifcfg files live
 * @param namespace the network namespace every command runs in; empty for the host's
 * @param useIfup create and delete with the distribution's ifup/ifdown instead of iproute2 alone
 * @param restoreOnStart re-create, at start-up, what the ifcfg files describe and the kernel lacks
 * @param commandTimeout how long one ip/ifup command may take
 */
public record VlanConfig(Path networkScripts, Optional<String> namespace, boolean useIfup, boolean restoreOnStart,
                         Duration commandTimeout) {
    public static final String SECTION = "vlan";
    static final String DEFAULT_SCRIPTS = "/etc/sysconfig/network-scripts";
    static final int DEFAULT_TIMEOUT_SECONDS = 30;
    /** A namespace is a file under /run/netns: one path segment. */
    private static final Pattern NAMESPACE = Pattern.compile("[A-Za-z0-9_.-]{1,64}");

    private static final String REPLACED_TOOLS = "VLANs and bridges are made with iproute2's ip (with ifup/ifdown "
            + "when useIfup is on)";

    public static ConfigSchema schema() {
        return new ConfigSchema().section(SECTION,
                new ConfigKey("networkScripts", DEFAULT_SCRIPTS, "folder of the ifcfg-* files that keep VLANs and "
                        + "bridges across reboots (relative paths: from the config file's folder)"),
                new ConfigKey("namespace", "", "network namespace to create VLANs and bridges in (made with "
                        + "`ip netns add`); empty = the host's"),
                new ConfigKey("useIfup", "false", "bring VLANs and bridges up and down with ifup/ifdown "
                        + "(initscripts) instead of iproute2 alone"),
                new ConfigKey("restoreOnStart", "true", "re-create at start-up the VLANs and bridges whose ifcfg "
                        + "files exist but whose links are missing"),
                new ConfigKey("commandTimeoutSeconds", Integer.toString(DEFAULT_TIMEOUT_SECONDS), "how long one "
                        + "ip/ifup/ifdown command may run before it is killed"),
                // AIM 1.x and 2.x ran these tools; iproute2's ip does all of their work now
                ConfigKey.obsolete("ifconfigCmd", REPLACED_TOOLS),
                ConfigKey.obsolete("vconfigCmd", REPLACED_TOOLS),
                ConfigKey.obsolete("brctlCmd", REPLACED_TOOLS));
    }

    public static VlanConfig from(AimSettings settings, Path configFolder) throws ConfigException {
        Path scripts = settings.path(SECTION, "networkScripts", configFolder).orElse(Path.of(DEFAULT_SCRIPTS));
        String namespace = settings.string(SECTION, "namespace", "");
        if (!namespace.isEmpty() && (!NAMESPACE.matcher(namespace).matches() || namespace.equals(".")
                || namespace.equals(".."))) {
            throw settings.error(SECTION, "namespace", namespace, "a namespace name: 1 to 64 letters, digits, '_', "
                    + "'.' or '-' (not \".\" or \"..\"), or empty for the host's");
        }
        return new VlanConfig(scripts, namespace.isEmpty() ? Optional.empty() : Optional.of(namespace),
                settings.bool(SECTION, "useIfup", false), settings.bool(SECTION, "restoreOnStart", true),
                Duration.ofSeconds(settings.integer(SECTION, "commandTimeoutSeconds", DEFAULT_TIMEOUT_SECONDS, 1,
                        3600)));
    }
}
