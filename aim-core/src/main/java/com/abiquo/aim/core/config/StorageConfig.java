package com.abiquo.aim.core.config;

import static java.util.Objects.requireNonNull;

import java.nio.file.Path;
import java.time.Duration;

/**
 * The [storage] section of aim.ini.
 *
 * @param initiatorNameFile open-iscsi's initiator name file, read on every GetInitiatorIqn
 * @param commandTimeout deadline of every external call: iscsiadm, iscsi-ls and every libvirt storage call
 */
public record StorageConfig(Path initiatorNameFile, Duration commandTimeout) {
    public static final String SECTION = "storage";
    public static final String DEFAULT_INITIATOR_NAME_FILE = "/etc/iscsi/initiatorname.iscsi";
    public static final int DEFAULT_COMMAND_TIMEOUT_SECONDS = 30;

    public StorageConfig {
        requireNonNull(initiatorNameFile, "initiatorNameFile is null");
        requireNonNull(commandTimeout, "commandTimeout is null");
    }

    public static ConfigSchema schema() {
        return new ConfigSchema().section(SECTION,
                new ConfigKey("initiatorNameFile", DEFAULT_INITIATOR_NAME_FILE,
                        "open-iscsi's initiator name file (InitiatorName=iqn...); read on every GetInitiatorIqn"),
                new ConfigKey("commandTimeoutSeconds", Integer.toString(DEFAULT_COMMAND_TIMEOUT_SECONDS),
                        "deadline in seconds of each iscsiadm/iscsi-ls run and of each libvirt storage call"));
    }

    public static StorageConfig from(AimSettings settings, Path configFolder) throws ConfigException {
        Path file = settings.path(SECTION, "initiatorNameFile", configFolder)
                .orElse(Path.of(DEFAULT_INITIATOR_NAME_FILE));
        int seconds = settings.integer(SECTION, "commandTimeoutSeconds", DEFAULT_COMMAND_TIMEOUT_SECONDS, 1, 3600);
        return new StorageConfig(file, Duration.ofSeconds(seconds));
    }
}
