package com.abiquo.aim.network;

import com.abiquo.aim.core.config.AimSettings;
import com.abiquo.aim.core.config.ConfigException;
import com.abiquo.aim.core.config.ConfigKey;
import com.abiquo.aim.core.config.ConfigSchema;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Locale;
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
 * @param persistence which files keep VLANs across reboots (ifcfg, NetworkManager keyfiles, or auto)
 * @param keyfileFolder NetworkManager's keyfile folder
 * @param osRelease the os-release file that auto reads
 * @param nmcli the nmcli program that tells a running NetworkManager to reload; empty = never
 * @param migrateIfcfg turn AIM's ifcfg files into keyfiles at start-up when persistence is keyfile
 */
public record VlanConfig(Path networkScripts, Optional<String> namespace, boolean useIfup, boolean restoreOnStart,
                         Duration commandTimeout, PersistenceChoice.Format persistence, Path keyfileFolder,
                         Path osRelease, String nmcli, boolean migrateIfcfg) {
    public static final String SECTION = "vlan";
    static final String DEFAULT_SCRIPTS = "/etc/sysconfig/network-scripts";
    static final int DEFAULT_TIMEOUT_SECONDS = 30;
    static final String DEFAULT_KEYFILES = "/etc/NetworkManager/system-connections";
    static final String DEFAULT_OS_RELEASE = "/etc/os-release";
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
                new ConfigKey("persistence", "auto", "files that keep VLANs and bridges across reboots: `ifcfg` "
                        + "(networkScripts), `keyfile` (NetworkManager keyfiles in keyfileFolder) or `auto` (keyfiles "
                        + "when keyfileFolder holds *.nmconnection files or osRelease says EL 9 or later, and useIfup "
                        + "is false; ifcfg otherwise)"),
                new ConfigKey("keyfileFolder", DEFAULT_KEYFILES, "NetworkManager's keyfile folder, where AIM writes "
                        + "abiquo-<interface>.nmconnection (relative paths: from the config file's folder)"),
                new ConfigKey("osRelease", DEFAULT_OS_RELEASE, "the os-release file persistence = auto reads"),
                new ConfigKey("nmcli", "nmcli", "nmcli program run (`nmcli connection reload`) after keyfiles "
                        + "change, when NetworkManager runs; empty = never"),
                new ConfigKey("migrateIfcfg", "true", "with keyfiles: at start-up, turn the ifcfg files AIM wrote "
                        + "in networkScripts into keyfiles and remove them"),
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
        String persistence = settings.string(SECTION, "persistence", "auto").strip().toLowerCase(Locale.ROOT);
        PersistenceChoice.Format format = switch (persistence) {
            case "auto" -> PersistenceChoice.Format.AUTO;
            case "ifcfg" -> PersistenceChoice.Format.IFCFG;
            case "keyfile" -> PersistenceChoice.Format.KEYFILE;
            default -> throw settings.error(SECTION, "persistence", persistence, "ifcfg, keyfile or auto");
        };
        boolean useIfup = settings.bool(SECTION, "useIfup", false);
        if (useIfup && format == PersistenceChoice.Format.KEYFILE) {
            throw settings.error(SECTION, "persistence", persistence, "ifcfg or auto: useIfup is true, and "
                    + "ifup/ifdown read ifcfg files, not keyfiles");
        }
        return new VlanConfig(scripts, namespace.isEmpty() ? Optional.empty() : Optional.of(namespace),
                useIfup, settings.bool(SECTION, "restoreOnStart", true),
                Duration.ofSeconds(settings.integer(SECTION, "commandTimeoutSeconds", DEFAULT_TIMEOUT_SECONDS, 1,
                        3600)), format,
                settings.path(SECTION, "keyfileFolder", configFolder).orElse(Path.of(DEFAULT_KEYFILES)),
                settings.path(SECTION, "osRelease", configFolder).orElse(Path.of(DEFAULT_OS_RELEASE)),
                settings.string(SECTION, "nmcli", "nmcli").strip(), settings.bool(SECTION, "migrateIfcfg", true));
    }
}
